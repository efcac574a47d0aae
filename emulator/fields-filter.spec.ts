import { describe, expect, it } from 'vitest';
import { applyFields, parseFields } from './fields-filter.js';

const MESSAGE = {
  id: 'a1',
  threadId: 't1',
  snippet: 's',
  payload: {
    mimeType: 'text/plain',
    headers: [
      { name: 'From', value: 'x' },
      { name: 'Subject', value: 'y' },
    ],
    body: { size: 3, data: 'YWJj' },
  },
};

describe(parseFields.name, () => {
  it('should parse paths, nesting and sub-selections into one selection', () => {
    const selection = parseFields('id,payload/headers(name),payload/body/size');

    expect(applyFields(MESSAGE, selection)).toEqual({
      id: 'a1',
      payload: { headers: [{ name: 'From' }, { name: 'Subject' }], body: { size: 3 } },
    });
  });

  it.each(['', 'id,', 'payload(', 'payload(headers', 'id)', 'a b'])(
    'should refuse the malformed expression %j',
    (expression) => {
      expect(() => parseFields(expression)).toThrow(/fields/);
    },
  );
});

describe(applyFields.name, () => {
  it('should filter every element of an array', () => {
    const list = {
      messages: [
        { id: '1', threadId: '1' },
        { id: '2', threadId: '2' },
      ],
      x: 1,
    };

    expect(applyFields(list, parseFields('messages/id'))).toEqual({
      messages: [{ id: '1' }, { id: '2' }],
    });
  });

  it('should keep a whole field selected both whole and in part', () => {
    expect(applyFields(MESSAGE, parseFields('payload/body,payload'))).toEqual({
      payload: MESSAGE.payload,
    });
  });

  it('should select every field with *', () => {
    expect(applyFields(MESSAGE.payload.body, parseFields('*'))).toEqual({ size: 3, data: 'YWJj' });
  });

  it('should leave out fields the answer does not have', () => {
    expect(applyFields({ id: '1' }, parseFields('id,nextPageToken'))).toEqual({ id: '1' });
  });
});
