import type { Server } from 'node:http';
import supertest from 'supertest';

/** One browser's cookies, carried across several app instances (a load balancer's view). */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  /** A cookie's value as the browser holds it (URL-encoded as the server set it). */
  value(name: string): string | undefined {
    return this.cookies.get(name);
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  store(setCookie: string[] | string | undefined): void {
    for (const line of ([] as string[]).concat(setCookie ?? [])) {
      const [pair] = line.split(';');
      const index = pair.indexOf('=');
      const name = pair.slice(0, index);
      const value = pair.slice(index + 1);
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async get(server: Server, path: string) {
    const response = await supertest(server).get(path).set('Cookie', this.header());
    this.store(response.headers['set-cookie']);
    return response;
  }

  async post(server: Server, path: string, form: Record<string, string>) {
    const response = await supertest(server)
      .post(path)
      .type('form')
      .send(form)
      .set('Cookie', this.header());
    this.store(response.headers['set-cookie']);
    return response;
  }
}
