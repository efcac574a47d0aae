import { describe, expect, it } from 'vitest';
import { type BodyRef, decodeBody, planMessage } from './message-parts.js';
import { MalformedMessageError } from './mime.errors.js';

/** 'こんにちは' in ISO-2022-JP, base64url (computed with Python). */
const ISO_2022_JP_DATA = 'GyRCJDMkcyRLJEEkTxsoQg==';
/** '<p>こんにちは</p>' in UTF-8, base64url, with '-' in it. */
const HTML_DATA = 'PHA-44GT44KT44Gr44Gh44GvPC9wPg==';

const header = (name: string, value: string) => ({ name, value });

/** multipart/mixed > (multipart/alternative > text/plain + text/html) + application/pdf. */
const MIXED_PAYLOAD = {
  partId: '',
  mimeType: 'multipart/mixed',
  filename: '',
  headers: [
    header('From', 'Taro <taro@example.jp>'),
    header('To', 'me@example.com'),
    header('Subject', '会議の件'),
    header('Date', 'Tue, 24 Nov 2026 09:00:00 +0900'),
    header('Content-Type', 'multipart/mixed; boundary="b1"'),
  ],
  body: { size: 0 },
  parts: [
    {
      partId: '0',
      mimeType: 'multipart/alternative',
      filename: '',
      headers: [header('Content-Type', 'multipart/alternative; boundary="b2"')],
      body: { size: 0 },
      parts: [
        {
          partId: '0.0',
          mimeType: 'text/plain',
          filename: '',
          headers: [
            header('Content-Type', 'text/plain; charset="ISO-2022-JP"'),
            header('Content-Transfer-Encoding', '7bit'),
          ],
          body: { size: 16, data: ISO_2022_JP_DATA },
        },
        {
          partId: '0.1',
          mimeType: 'text/html',
          filename: '',
          headers: [header('Content-Type', 'text/html; charset=UTF-8')],
          body: { size: 22, data: HTML_DATA },
        },
      ],
    },
    {
      partId: '1',
      mimeType: 'application/pdf',
      filename: '議事録.pdf',
      headers: [
        header('Content-Type', 'application/pdf; name="議事録.pdf"'),
        header('Content-Disposition', 'attachment; filename="議事録.pdf"'),
      ],
      body: { size: 48213, attachmentId: 'ANGjdJ_pdf' },
    },
  ],
};

function leaf(partId: string, mimeType: string, extra: Record<string, unknown> = {}) {
  return {
    partId,
    mimeType,
    filename: '',
    headers: [],
    body: { size: 5, data: 'SGVsbG8=' },
    ...extra,
  };
}

function multipart(partId: string, mimeType: string, parts: unknown[]) {
  return { partId, mimeType, filename: '', headers: [], body: { size: 0 }, parts };
}

function malformed(payload: unknown): MalformedMessageError {
  try {
    planMessage(payload);
  } catch (error) {
    if (error instanceof MalformedMessageError) return error;
    throw error;
  }
  throw new Error('planMessage accepted the payload');
}

describe('planMessage', () => {
  it('should choose both bodies inside multipart/mixed > multipart/alternative and list the attachment', () => {
    expect(planMessage(MIXED_PAYLOAD)).toEqual({
      headers: {
        from: 'Taro <taro@example.jp>',
        to: 'me@example.com',
        subject: '会議の件',
        date: 'Tue, 24 Nov 2026 09:00:00 +0900',
      },
      text: {
        partId: '0.0',
        mimeType: 'text/plain',
        charset: 'ISO-2022-JP',
        size: 16,
        data: ISO_2022_JP_DATA,
      },
      html: {
        partId: '0.1',
        mimeType: 'text/html',
        charset: 'UTF-8',
        size: 22,
        data: HTML_DATA,
      },
      attachments: [
        {
          partId: '1',
          filename: '議事録.pdf',
          mimeType: 'application/pdf',
          size: 48213,
          attachmentId: 'ANGjdJ_pdf',
        },
      ],
    });
  });

  it('should let decodeBody turn the chosen bodies into text', () => {
    const plan = planMessage(MIXED_PAYLOAD);
    expect(decodeBody(plan.text!, plan.text!.data!)).toBe('こんにちは');
    expect(decodeBody(plan.html!, plan.html!.data!)).toBe('<p>こんにちは</p>');
  });

  it('should plan an attachmentId-only body for a later attachments.get', () => {
    const plan = planMessage({
      partId: '',
      mimeType: 'text/html',
      filename: '',
      headers: [header('content-type', 'text/html; charset=utf-8')],
      body: { size: 70000, attachmentId: 'ANGjdJ_big' },
    });
    expect(plan.html).toEqual({
      partId: '',
      mimeType: 'text/html',
      charset: 'utf-8',
      size: 70000,
      attachmentId: 'ANGjdJ_big',
    });
    expect(plan.text).toBeUndefined();
    expect(plan.attachments).toEqual([]);
    // The data then comes from users.messages.attachments.get.
    expect(decodeBody(plan.html!, 'PHA-Q2Fmw6k_PC9wPg')).toBe('<p>Café?</p>');
  });

  it('should plan a zero-length body without data as empty inline data', () => {
    const plan = planMessage({ ...leaf('', 'text/plain'), body: { size: 0 } });
    expect(plan.text).toEqual({ partId: '', mimeType: 'text/plain', size: 0, data: '' });
    expect(decodeBody(plan.text!, '')).toBe('');
  });

  it('should take a part with Content-Disposition: attachment and no filename as an attachment', () => {
    const plan = planMessage(
      multipart('', 'multipart/mixed', [
        leaf('0', 'text/plain', {
          headers: [header('Content-Disposition', 'ATTACHMENT; size=5')],
          body: { size: 5, attachmentId: 'att-0' },
        }),
        leaf('1', 'text/plain'),
      ]),
    );
    expect(plan.text?.partId).toBe('1');
    expect(plan.attachments).toEqual([
      { partId: '0', filename: '', mimeType: 'text/plain', size: 5, attachmentId: 'att-0' },
    ]);
  });

  it('should take a named text/plain part as an attachment, not as the body', () => {
    const plan = planMessage(
      multipart('', 'multipart/mixed', [
        leaf('0', 'text/html'),
        leaf('1', 'text/plain', { filename: 'notes.txt', body: { size: 9, attachmentId: 'a1' } }),
      ]),
    );
    expect(plan.text).toBeUndefined();
    expect(plan.html?.partId).toBe('0');
    expect(plan.attachments.map((a) => a.filename)).toEqual(['notes.txt']);
  });

  it('should keep the first text/plain and the first text/html when there are several', () => {
    const plan = planMessage(
      multipart('', 'multipart/mixed', [
        multipart('0', 'multipart/alternative', [
          leaf('0.0', 'text/plain'),
          leaf('0.1', 'text/html'),
        ]),
        leaf('1', 'text/plain'),
        leaf('2', 'text/html'),
      ]),
    );
    expect([plan.text?.partId, plan.html?.partId]).toEqual(['0.0', '0.1']);
  });

  it('should find the html in multipart/related and list its named inline image', () => {
    const plan = planMessage(
      multipart('', 'multipart/alternative', [
        leaf('0', 'text/plain'),
        multipart('1', 'multipart/related', [
          leaf('1.0', 'text/html'),
          leaf('1.1', 'image/png', {
            filename: 'logo.png',
            headers: [header('Content-Disposition', 'inline; filename="logo.png"')],
            body: { size: 1234, attachmentId: 'img' },
          }),
        ]),
      ]),
    );
    expect([plan.text?.partId, plan.html?.partId]).toEqual(['0', '1.0']);
    expect(plan.attachments).toEqual([
      {
        partId: '1.1',
        filename: 'logo.png',
        mimeType: 'image/png',
        size: 1234,
        attachmentId: 'img',
      },
    ]);
  });

  it("should list a forwarded message/rfc822 as an attachment and never show its text as this message's", () => {
    const plan = planMessage(
      multipart('', 'multipart/mixed', [
        leaf('0', 'text/html'),
        {
          ...multipart('1', 'message/rfc822', [leaf('1.0', 'text/plain')]),
          body: { size: 900, attachmentId: 'fwd' },
        },
      ]),
    );
    expect(plan.text).toBeUndefined();
    expect(plan.attachments).toEqual([
      { partId: '1', filename: '', mimeType: 'message/rfc822', size: 900, attachmentId: 'fwd' },
    ]);
  });

  it('should match MIME types and header names case-insensitively', () => {
    const plan = planMessage({
      ...leaf('', 'Text/Plain'),
      headers: [header('CONTENT-TYPE', 'Text/Plain; CHARSET=Shift_JIS'), header('SUBJECT', 'Hi')],
    });
    expect(plan.text?.charset).toBe('Shift_JIS');
    expect(plan.headers).toEqual({ subject: 'Hi' });
  });

  it('should ignore text parts other than plain and html, and leaves without a body', () => {
    const plan = planMessage(
      multipart('', 'multipart/mixed', [leaf('0', 'text/calendar'), leaf('1', 'image/gif')]),
    );
    expect(plan).toEqual({ headers: {}, attachments: [] });
  });

  describe('malformed payloads', () => {
    it.each([
      [null, 'payload should be an object, got null'],
      [{ ...MIXED_PAYLOAD, parts: 'oops' }, 'payload.parts should be an array, got a string'],
      [{ ...MIXED_PAYLOAD, parts: {} }, 'payload.parts should be an array, got an object'],
      [
        { ...leaf('', 'text/plain'), body: undefined },
        'payload.body should be an object, got nothing',
      ],
      [
        { ...leaf('', 'text/plain'), body: { size: -1 } },
        'payload.body.size should be a non-negative integer, got -1',
      ],
      [
        { ...leaf('', 'text/plain'), body: { size: '5' } },
        'payload.body.size should be a non-negative integer, got a string',
      ],
      [
        { ...leaf('', 'text/plain'), body: { size: 5, data: 5 } },
        'payload.body.data should be a string, got 5',
      ],
      [
        { ...leaf('', 'text/plain'), body: { size: 5, attachmentId: '' } },
        'payload.body.attachmentId should not be empty',
      ],
      [
        { ...leaf('', 'text/plain'), mimeType: undefined },
        'payload.mimeType should be a string, got nothing',
      ],
      [{ ...leaf('', 'text/plain'), partId: 0 }, 'payload.partId should be a string, got 0'],
      [
        { ...leaf('', 'text/plain'), filename: null },
        'payload.filename should be a string, got null',
      ],
      [
        { ...leaf('', 'text/plain'), headers: [{ name: 'From' }] },
        'payload.headers[0].value should be a string, got nothing',
      ],
    ])('should reject %j', (payload, problem) => {
      expect(malformed(payload).message).toBe(`malformed Gmail message: ${problem}`);
    });

    it('should name the nested part that is wrong', () => {
      const payload = multipart('', 'multipart/mixed', [
        leaf('0', 'text/plain'),
        multipart('1', 'multipart/alternative', [leaf('1.0', 'text/html', { body: [] })]),
      ]);
      const error = malformed(payload);
      expect(error.field).toBe('payload.parts[1].parts[0].body');
      expect(error.message).toBe(
        'malformed Gmail message: payload.parts[1].parts[0].body should be an object, got an array',
      );
      expect(error.status).toBe(502);
    });

    it('should refuse a tree nested deeper than 64 levels', () => {
      let payload: unknown = leaf('x', 'text/plain');
      for (let depth = 0; depth < 65; depth++)
        payload = multipart('x', 'multipart/mixed', [payload]);
      expect(malformed(payload).message).toMatch(
        /^malformed Gmail message: payload(\.parts\[0\]){65} is nested deeper than 64$/,
      );
    });
  });
});

describe('decodeBody', () => {
  const ref: BodyRef = {
    partId: '0.0',
    mimeType: 'text/plain',
    charset: 'Shift_JIS',
    size: 10,
    data: '',
  };

  it('should decode base64url data with and without padding in the part charset', () => {
    expect(decodeBody(ref, 'grGC8YLJgr-CzQ==')).toBe('こんにちは');
    expect(decodeBody(ref, 'grGC8YLJgr-CzQ')).toBe('こんにちは');
  });

  it('should reject standard base64 characters with MalformedMessageError', () => {
    expect(() => decodeBody(ref, 'grGC8YLJgr+CzQ==')).toThrow(
      new MalformedMessageError(
        'body data of part "0.0"',
        'is not base64url: unexpected "+" at offset 10',
      ),
    );
  });
});
