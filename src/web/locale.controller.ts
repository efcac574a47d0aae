import { Controller, Get, Param, Query, Redirect, Res } from '@nestjs/common';
import type { Response } from 'express';
import { BadInputError } from '../common/app.error.js';
import { SessionOptional } from '../session/session-available.guard.js';
import { isLocale, LOCALE_COOKIE } from '../i18n/i18n.js';
import { languageSwitchReturnPath } from './locale.step.js';

const ONE_YEAR_MS = 365 * 24 * 3600 * 1000;

/** The visible language switch: remembers the choice in a cookie and goes back. */
@Controller('lang')
export class LocaleController {
  @Get(':locale')
  @SessionOptional()
  @Redirect()
  choose(
    @Param('locale') locale: string,
    @Query('next') next: unknown,
    @Res({ passthrough: true }) response: Response,
  ) {
    if (!isLocale(locale)) throw new BadInputError(`unsupported language "${locale.slice(0, 20)}"`);
    response.cookie(LOCALE_COOKIE, locale, {
      maxAge: ONE_YEAR_MS,
      sameSite: 'lax',
      httpOnly: true,
      path: '/',
    });
    return { url: languageSwitchReturnPath(next), statusCode: 303 };
  }
}
