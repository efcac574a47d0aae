import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiResponse } from '@nestjs/swagger';

export class ApiErrorDetail {
  @ApiProperty({
    description: 'A stable code (`bad_input`, `not_signed_in`, `scope_missing`, …)',
    example: 'not_signed_in',
  })
  code!: string;

  @ApiProperty({
    description: 'What happened, in English',
    example: 'Please connect to Gmail first.',
  })
  message!: string;
}

/** Every /api error: `{ "error": { "code", "message" } }` (the one exception filter writes it). */
export class ApiErrorAnswer {
  @ApiProperty({ type: ApiErrorDetail })
  error!: ApiErrorDetail;
}

/** The statuses any /api route may answer with the error body, and what each means here. */
const ERROR_STATUSES: Readonly<Record<number, string>> = {
  400: 'Malformed input (`bad_input`)',
  401: 'No signed-in session (`not_signed_in`), or Google refused the stored grant (`reconnect`, `access_revoked`)',
  403: 'A scope not granted (`scope_missing`), no CSRF token (`csrf_invalid`), or refused by policy',
  404: 'No such message or attachment (`message_not_found`), or no such route (`not_found`)',
  429: 'Over `RATE_LIMIT_API_PER_MINUTE` (`rate_limited`; `Retry-After`)',
  500: 'A fault of the service (`internal`)',
  502: 'Google failed or answered something unexpected (`upstream_unavailable`)',
  503: 'Gmail busy or over quota, the store unavailable, or the instance stopping (`Retry-After`)',
  504: 'Google did not answer in time (`upstream_timeout`)',
};

/** Documents the error answers of an /api route (OpenAPI responses with the error body). */
export const ApiErrorAnswers = () =>
  applyDecorators(
    ...Object.entries(ERROR_STATUSES).map(([status, description]) =>
      ApiResponse({ status: Number(status), description, type: ApiErrorAnswer }),
    ),
  );
