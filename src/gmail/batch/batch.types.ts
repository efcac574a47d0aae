/** One call inside a batch: a GET with a path-only request target, named by `id`. */
export interface BatchCall {
  /** Sent as `Content-ID: <item-{id}>`; Google echoes it as `<response-item-{id}>`. */
  id: string;
  method: 'GET';
  /** Path and query in origin-form (RFC 9112 §3.2.1), e.g. `/gmail/v1/users/me/messages/abc?format=metadata`. */
  path: string;
}

/** The outer request of a batch: POST it to `/batch/gmail/v1` with this Content-Type. */
export interface BatchRequest {
  /** `multipart/mixed; boundary=...` */
  contentType: string;
  body: string;
}

/** One inner answer of a batch response: a complete HTTP response of its own. */
export interface BatchPartResponse {
  /** The call id recovered from `Content-ID: <response-item-{id}>`; null when the part has none. */
  id: string | null;
  status: number;
  /** The reason phrase, '' when absent; informational only (RFC 9112 §4). */
  statusText: string;
  /** Inner response header fields, names lower-cased, repeated fields joined with ", ". */
  headers: Record<string, string>;
  /** The inner response body exactly as sent, line ends included; '' when empty. */
  body: string;
}
