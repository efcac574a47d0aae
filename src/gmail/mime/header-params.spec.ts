import { describe, expect, it } from 'vitest';
import { parseParameterizedValue } from './header-params.js';

const parse = (header: string) => {
  const { value, params } = parseParameterizedValue(header);
  return { value, params: Object.fromEntries(params) };
};

describe('parseParameterizedValue', () => {
  it('should read a token parameter and lower-case the value and parameter names', () => {
    expect(parse('Text/Plain; CharSet=ISO-2022-JP')).toEqual({
      value: 'text/plain',
      params: { charset: 'ISO-2022-JP' },
    });
  });

  it('should unquote quoted strings, keeping ; and = and escaped quotes inside', () => {
    expect(parse('attachment; filename="a;b=c \\"d\\".txt"; size=42')).toEqual({
      value: 'attachment',
      params: { filename: 'a;b=c "d".txt', size: '42' },
    });
  });

  it('should tolerate spaces around = and a trailing semicolon', () => {
    expect(parse('text/html ;charset = "utf-8" ;')).toEqual({
      value: 'text/html',
      params: { charset: 'utf-8' },
    });
  });

  it('should keep the first of two parameters with the same name', () => {
    expect(parse('text/plain; charset=utf-8; charset=latin1').params).toEqual({ charset: 'utf-8' });
  });

  it('should return no parameters for a bare value', () => {
    expect(parse('inline')).toEqual({ value: 'inline', params: {} });
  });
});
