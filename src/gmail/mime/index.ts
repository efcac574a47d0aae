export { decodeBase64Url } from './base64url.js';
export { decodeText, type DecodedText } from './charset.js';
export { decodeHtmlEntities } from './html-entities.js';
export {
  type AttachmentInfo,
  type BodyRef,
  decodeBody,
  type MessageHeaders,
  type MessagePlan,
  planMessage,
} from './message-parts.js';
export { MalformedMessageError } from './mime.errors.js';
