import { Controller, Get, Render } from '@nestjs/common';
import { GoogleConfig } from '../config/configuration.js';
import { SessionOptional } from '../session/session-available.guard.js';

@Controller()
export class AppController {
  constructor(private readonly google: GoogleConfig) {}

  /**
   * The landing page. It writes nothing to the session, so anonymous visits set no cookie; while
   * the session store fails it still renders, without the account.
   */
  @Get()
  @SessionOptional()
  @Render('index')
  index() {
    return {};
  }

  /** Setup help: the exact redirect URI to register at Google. */
  @Get('setup')
  @SessionOptional()
  @Render('setup')
  setup() {
    return { titleKey: 'setup.title', redirectUri: this.google.redirectUri };
  }
}
