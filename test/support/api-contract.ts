import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Server } from 'node:http';
import supertest from 'supertest';
import { OpenApiContract, type ReceivedAnswer } from './api-contract/checker.js';
import { DOCUMENT_PATH, isObject, type Json } from './api-contract/document.js';
import { answersOf, type RecordedAnswer } from './api-contract/recorder.js';

export { OpenApiContract, type ReceivedAnswer } from './api-contract/checker.js';
export { DOCUMENT_PATH } from './api-contract/document.js';
export { openApiProblems } from './api-contract/openapi-schema.js';
export { answersOf, recordApiAnswers, type RecordedAnswer } from './api-contract/recorder.js';

/** Distinct problems listed in the failure; the rest are counted. */
const PROBLEMS_LISTED = 40;

/** The app's document could not be had, or its answers break it. */
export class ApiContractError extends Error {
  override name = 'ApiContractError';
}

/** The app's OpenAPI document (GET /api/openapi.json); any other answer throws. */
export async function fetchOpenApiDocument(server: Server): Promise<Json> {
  const response = await supertest(server).get(DOCUMENT_PATH);
  const type = String(response.headers['content-type']);
  if (response.status !== 200 || !type.startsWith('application/json') || !isObject(response.body)) {
    throw new ApiContractError(
      `GET ${DOCUMENT_PATH} answered ${response.status} ${type}, not 200 with the OpenAPI document`,
    );
  }
  return response.body;
}

/** One contract per distinct document (every instance serves the same): compiled once. */
const contracts = new Map<string, OpenApiContract>();

function contractOf(document: Json): OpenApiContract {
  const key = JSON.stringify(document);
  let contract = contracts.get(key);
  if (!contract) contracts.set(key, (contract = new OpenApiContract(document)));
  return contract;
}

/** The answer as the checker reads it: the body parsed, when it is JSON sent whole. */
function received(answer: RecordedAnswer): ReceivedAnswer | string {
  const { text, ...rest } = answer;
  if (text === undefined) return rest;
  try {
    return { ...rest, body: JSON.parse(text) as unknown };
  } catch {
    return `${answer.method} ${answer.path} answered ${answer.status} with JSON that does not parse`;
  }
}

/**
 * What the answers `app` recorded break in the document it serves, each problem once. Fetches
 * the document only when there is an answer to check.
 */
export async function apiContractProblems(app: NestExpressApplication): Promise<string[]> {
  const answers = answersOf(app);
  if (answers.length === 0) return [];
  const document = await fetchOpenApiDocument(app.getHttpServer());
  const contract = contractOf(document);
  const problems = answers.flatMap((answer) => {
    const checked = received(answer);
    return typeof checked === 'string' ? [checked] : contract.problemsOf(checked);
  });
  return [...new Set(problems)];
}

/**
 * The check of one describe block (useServiceFixture): each instance's answers against its own
 * document, taken before the instance stops; the problems of all of them fail the block at its
 * end, each listed once with the number of instances it was found in when more than one.
 */
export class ApiContractCheck {
  private readonly problems = new Map<string, number>();

  /** Checks what `app` answered; never throws (a document that cannot be had is a problem). */
  async collect(app: NestExpressApplication): Promise<void> {
    let found: string[];
    try {
      found = await apiContractProblems(app);
    } catch (error) {
      found = [error instanceof Error ? error.message : String(error)];
    }
    this.record(found);
  }

  /** Counts the problems one instance had. */
  record(problems: string[]): void {
    for (const problem of problems)
      this.problems.set(problem, (this.problems.get(problem) ?? 0) + 1);
  }

  /** Throws ApiContractError listing every problem collected. */
  verify(): void {
    if (this.problems.size === 0) return;
    const lines = [...this.problems].map(([problem, times]) =>
      times > 1 ? `${problem} (in ${times} instances)` : problem,
    );
    const more = lines.length - PROBLEMS_LISTED;
    throw new ApiContractError(
      [
        `The /api answers of this describe block break the app's OpenAPI document (GET ${DOCUMENT_PATH}):`,
        ...lines.slice(0, PROBLEMS_LISTED).map((line) => `  - ${line}`),
        ...(more > 0 ? [`  ... and ${more} more`] : []),
      ].join('\n'),
    );
  }
}
