import { describe, expect, it } from 'vitest';
import { UpstreamFields } from './upstream-fields.js';
import { UpstreamResponseError } from './upstream.errors.js';

describe(UpstreamFields.name, () => {
  const body = {
    messages: [{ id: 'a1' }, { id: 7 }],
    mixed: [{}, {}, 'not an object'],
    payload: { headers: [{ name: 'From', value: 'x' }, { name: '' }] },
  };
  const fields = () => new UpstreamFields('gmail_list', body);

  it('should name the upstream and the exact path of a field that is not what it promises', () => {
    const [, second] = fields().array('messages', { optional: true });
    expect(() => second.string('id')).toThrow(
      new UpstreamResponseError('gmail_list', '$.messages[1].id is not a non-empty string'),
    );
    const [, header] = fields().object('payload').array('headers');
    expect(() => header.string('name')).toThrow(
      '$.payload.headers[1].name is not a non-empty string',
    );
    expect(() => fields().string('absent')).toThrow('$.absent is not a non-empty string');
  });

  it('should refuse an array element that is not an object, by index', () => {
    expect(() => fields().array('mixed')).toThrow('$.mixed[2] is not an object');
    expect(() => new UpstreamFields('gmail_labels', [])).toThrow('$ is not an object');
  });

  it('should read what holds', () => {
    const [first] = fields().array('messages');
    expect(first.string('id')).toBe('a1');
    expect(fields().array('absent', { optional: true })).toEqual([]);
  });
});
