import { Module } from '@nestjs/common';
import { LocaleController } from './locale.controller.js';
import { ViewLocalsMiddleware } from './view-locals.middleware.js';

@Module({
  controllers: [LocaleController],
  providers: [ViewLocalsMiddleware],
  exports: [ViewLocalsMiddleware],
})
export class I18nModule {}
