import { Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Application } from 'express';
import type { Locale } from '../../i18n/i18n.js';
import type { InboxRow } from '../inbox.service.js';
import { InboxView } from '../inbox.view.js';

/**
 * An inbox row as HTML, for the live page's events: the page's own partial
 * (views/partials/inbox-row.hbs) through the app's view engine, so a row has one template and
 * one escaping whether it came with the page or with an event.
 */
@Injectable()
export class RowRenderer {
  constructor(
    private readonly adapter: HttpAdapterHost,
    private readonly view: InboxView,
  ) {}

  render(row: InboxRow, locale: Locale): Promise<string> {
    const app = this.adapter.httpAdapter.getInstance<Application>();
    const model = { ...this.view.row(row, locale), locale };
    return new Promise((resolve, reject) =>
      app.render('partials/inbox-row', model, (error: Error | null, html?: string) =>
        error ? reject(error) : resolve((html ?? '').trim()),
      ),
    );
  }
}
