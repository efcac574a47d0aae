import { Controller, Get, Render } from '@nestjs/common';
import { GoogleConfig } from './config/configuration.js';

@Controller()
export class AppController {
  constructor(private readonly google: GoogleConfig) {}

  /** The landing page. It writes nothing to the session, so anonymous visits set no cookie. */
  @Get()
  @Render('index')
  index() {
    return {};
  }

  /** Setup help: the exact redirect URI to register at Google. */
  @Get('setup')
  @Render('setup')
  setup() {
    return { titleKey: 'setup.title', redirectUri: this.google.redirectUri };
  }
}
