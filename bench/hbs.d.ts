declare module 'hbs' {
  import type Handlebars from 'handlebars';
  const hbs: { handlebars: typeof Handlebars; localsAsTemplateData(app: unknown): void };
  export default hbs;
}
