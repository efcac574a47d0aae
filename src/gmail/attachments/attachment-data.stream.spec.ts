import { pipeline, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { AttachmentDataStream } from './attachment-data.stream.js';
import { AttachmentBodyError } from './attachment.errors.js';

/** The output chunks, as pushed ('data' events: read() would join them), for these input chunks. */
function scan(chunks: (string | Buffer)[]): Promise<Buffer[]> {
  const source = Readable.from(chunks.map((chunk) => Buffer.from(chunk)));
  const out: Buffer[] = [];
  return new Promise((resolve, reject) => {
    pipeline(source, new AttachmentDataStream(), (error) =>
      error ? reject(error) : resolve(out),
    ).on('data', (chunk: Buffer) => out.push(chunk));
  });
}
const dataOf = async (chunks: string[]) => Buffer.concat(await scan(chunks)).toString('latin1');

describe(AttachmentDataStream.name, () => {
  it.each([
    ['{"data":"QUJD"}', 'QUJD'],
    ['{"data":""}', ''],
    ['{"size":3,"data":"QUJD"}', 'QUJD'],
    ['{"data":"QQ==","size":1}', 'QQ=='],
    [' \r\n\t{ \n"data" \t:\r\n "-_8" \n, "size"  : 2 } \n', '-_8'],
    [
      '{"attachmentId":"ANGjdJ8w-x_Y","size":-1.5e+3,"ok":true,"no":false,"x":null,"data":"QUJD"}',
      'QUJD',
    ],
    ['{"note":"a \\"data\\": \\\\ \\u0041 é","data":"QUJD"}', 'QUJD'],
    ['{"dat":"","datas":"","data":"QUJD"}', 'QUJD'],
  ])('should pass on the data member of %j', async (body, data) => {
    expect(await dataOf([body])).toBe(data);
  });

  it('should find the same data at every split point, and one byte at a time', async () => {
    const body = ' {\n  "size" : 1234,\r\n  "data" : "SGVsbG8-_w==" , "id":"x\\"y" }\n';
    for (let split = 0; split <= body.length; split++) {
      expect(await dataOf([body.slice(0, split), body.slice(split)])).toBe('SGVsbG8-_w==');
    }
    expect(await dataOf([...body])).toBe('SGVsbG8-_w==');
  });

  it('should pass data on as it comes, never more at once than one chunk holds', async () => {
    const data = 'QUJD'.repeat(256 * 1024); // 1 MiB
    const body = Buffer.from(`{"data":"${data}","size":786432}`);
    const chunks = Array.from({ length: Math.ceil(body.length / 65536) }, (_, i) =>
      body.subarray(i * 65536, (i + 1) * 65536),
    );
    const out = await scan(chunks);
    expect(Buffer.concat(out).toString('latin1')).toBe(data);
    expect(out.length).toBeGreaterThanOrEqual(16);
    expect(Math.max(...out.map((chunk) => chunk.length))).toBeLessThanOrEqual(65536);
  });

  it.each([
    [[''], 'ends early (start) at byte 0'],
    [['  '], 'ends early (start) at byte 2'],
    [['[]'], 'is not a JSON object: "[" at byte 0'],
    [['"data"'], 'is not a JSON object: "\\"" at byte 0'],
    [['{}'], 'has no data member at byte 2'],
    [['{"size":3}'], 'has no data member at byte 10'],
    [['{"data":"QU', 'J'], 'ends early (data) at byte 12'],
    [['{"data":"QUJD"'], 'ends early (after-value) at byte 14'],
    [['{"data":"QUJD",'], 'ends early (next-name) at byte 15'],
    [['{"data":"QU\\/J"}'], 'has an escape inside data at byte 11'],
    [['{"data":"QU', '+J"}'], 'has "+" inside data at byte 11'],
    [['{"data":"QU J"}'], 'has " " inside data at byte 11'],
    [['{"data":"QU\nJ"}'], 'has "\\n" inside data at byte 11'],
    [['{"data":3}'], 'has a data member that is not a string at byte 8'],
    [['{"data":"QQ","data":"QQ"}'], 'has a second data member at byte 20'],
    [['{"a":{"b":1},"data":""}'], 'has "{" as the value of "a" at byte 5'],
    [['{"a":[1],"data":""}'], 'has "[" as the value of "a" at byte 5'],
    [['{"size":12a,"data":""}'], 'has a bad value "12a" at byte 11'],
    [['{"size":01,"data":""}'], 'has a bad value "01" at byte 10'],
    [['{"data":"QQ",}'], 'has "}" where a name belongs at byte 13'],
    [['{"data" "QQ"}'], 'has "\\"" where ":" belongs at byte 8'],
    [['{"data":"QQ" "x":1}'], 'has "\\"" where "," or "}" belongs at byte 13'],
    [['{"data":"QQ"} x'], 'has "x" after the object at byte 14'],
    [['{"data":"QQ"}{}'], 'has "{" after the object at byte 13'],
    [['{"da\\u0074a":"QQ"}'], 'has an escape in a member name at byte 4'],
    [['{"x":"a\nb","data":""}'], 'has "\\n" inside a string at byte 7'],
    [[`{"${'n'.repeat(65)}":1}`], 'has a too long member name at byte 66'],
  ])('should refuse %j with AttachmentBodyError', async (chunks, problem) => {
    const failure = scan(chunks);
    await expect(failure).rejects.toBeInstanceOf(AttachmentBodyError);
    await expect(failure).rejects.toThrow(`malformed Gmail attachment: the JSON body ${problem}`);
  });
});
