import { Module } from '@nestjs/common';
import { ViewLocalsMiddleware } from './view-locals.middleware.js';

@Module({
  providers: [ViewLocalsMiddleware],
  exports: [ViewLocalsMiddleware],
})
export class I18nModule {}
