declare module 'hbs' {
  import type Handlebars from 'handlebars';
  const hbs: {
    handlebars: typeof Handlebars;
    localsAsTemplateData(app: unknown): void;
    /** The Express engine: (file path, render options, callback). */
    __express(
      path: string,
      options: Record<string, unknown>,
      callback: (error: Error | null, html?: string) => void,
    ): void;
  };
  export default hbs;
}
