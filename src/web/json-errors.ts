import { UseFilters } from '@nestjs/common';
import { JsonExceptionsFilter } from './all-exceptions.filter.js';

/**
 * The controller's clients are programs: its errors answer JSON `{ error: { code, message } }`
 * with the status, never a page or a redirect (the /api controllers, the security-event
 * receiver). A request no controller handled keeps the path rule: under /api/, JSON.
 */
export const JsonErrors = () => UseFilters(JsonExceptionsFilter);
