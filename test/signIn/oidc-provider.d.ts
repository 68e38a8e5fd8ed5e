// oidc-provider ships no types; the tests use a handful of its methods (see oidcProvider.ts).
declare module "oidc-provider" {
  // biome-ignore lint/suspicious/noExplicitAny: an untyped library, used only by the test stand-in.
  const Provider: any;
  export default Provider;
}
