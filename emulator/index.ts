export { GoogleEmulator } from './google-emulator.js';
export type {
  DemoAccountInfo,
  EmulatedApi,
  EmulatorClient,
  EmulatorOptions,
  IdTokenTweak,
  RecordedRequest,
} from './types.js';
export type { EmulatorEndpoint, Fault } from './faults.js';
export type { FixtureMessageInput } from './message-builder.js';
export type { LabelChange } from './mailbox.js';
export type { HistoryMessage, HistoryRecord, HistoryType } from './mailbox-history.js';
export { DEMO_ACCOUNTS, DEMO_PASSWORD } from './fixtures.js';
export { GMAIL_MODIFY_SCOPE, GMAIL_SCOPE } from './authorization-server.js';
export { consentAtEmulator, type ConsentChoice } from './consent-driver.js';
export {
  RISC_EVENT_TYPES,
  type RiscEvent,
  type RiscEventName,
  type RiscTokenOptions,
} from './risc-transmitter.js';
export { attachmentPart, bodyPart, multipart, textBody } from './message-builder.js';
