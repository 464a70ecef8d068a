// For tools that read TypeScript without Vue's language service (ESLint's typed rules): a .vue
// file is a component. vue-tsc (npm run typecheck) resolves the real types and ignores this.
declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent<object, object, unknown>;
  export default component;
}
