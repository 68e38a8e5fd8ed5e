import { lazy, type ReactNode, Suspense, useEffect, useRef, useState } from "react";
import { describe } from "./api/client";
import { Account } from "./pages/Account";
import { LicensePage } from "./pages/License";
import { Licenses } from "./pages/Licenses";
import { NotFound } from "./pages/NotFound";
import { Operations } from "./pages/Operations";
import { SignIn } from "./pages/SignIn";
import { Wallets } from "./pages/Wallets";
import { Link, match, navigate, usePath } from "./router";
import { signOut, useMe } from "./session";
import { Failed, Loading } from "./ui";

// The Integrate page signs with viem in the browser: loaded only when opened, so the first load
// stays small.
const Integrate = lazy(() => import("./pages/Integrate").then((m) => ({ default: m.Integrate })));

const NAV = [
  { href: "/licenses", label: "Licenses" },
  { href: "/wallets", label: "Wallets" },
  { href: "/operations", label: "Operations" },
  { href: "/account", label: "Account" },
];

function page(path: string): ReactNode {
  if (path === "/licenses") return <Licenses />;
  if (path === "/wallets") return <Wallets />;
  if (path === "/operations") return <Operations />;
  if (path === "/account") return <Account />;
  const integrate = match("/licenses/:tokenId/integrate", path);
  if (integrate) return <Integrate tokenId={Number(integrate.tokenId)} />;
  const license = match("/licenses/:tokenId", path);
  if (license && /^\d{1,16}$/.test(license.tokenId ?? ""))
    return <LicensePage tokenId={Number(license.tokenId)} />;
  return <NotFound />;
}

export function App() {
  const path = usePath();
  const me = useMe();
  const signedIn = me.data != null;

  // Signed-out visitors go to the sign-in page (and come back after); signed-in ones skip it.
  useEffect(() => {
    if (me.isPending || me.isError) return;
    if (!signedIn && path !== "/sign-in") {
      const next = path === "/" ? "" : `?next=${encodeURIComponent(path)}`;
      navigate(`/sign-in${next}`, { replace: true });
    } else if (signedIn && (path === "/" || path === "/sign-in")) {
      const next = new URLSearchParams(window.location.search).get("next");
      navigate(next?.startsWith("/") && !next.startsWith("//") ? next : "/licenses", { replace: true });
    }
  }, [me.isPending, me.isError, signedIn, path]);

  // After an in-app navigation, keyboard and screen-reader users start at the new page's content.
  const first = useRef(true);
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on each new path only.
  useEffect(() => {
    if (first.current) first.current = false;
    else document.getElementById("main")?.focus({ preventScroll: true });
  }, [path]);

  let body: ReactNode;
  if (me.isPending) body = <Loading what="your session" />;
  else if (me.isError) body = <Failed error={me.error} retry={() => void me.refetch()} />;
  else if (path === "/sign-in" || !signedIn) body = <SignIn />;
  else body = <Suspense fallback={<Loading what="the page" />}>{page(path)}</Suspense>;

  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <Link href={signedIn ? "/licenses" : "/sign-in"} className="brand">
          DIMO Developer Console
        </Link>
        {signedIn ? <Nav email={me.data?.email ?? ""} /> : null}
      </header>
      <main id="main" tabIndex={-1}>
        {body}
      </main>
    </>
  );
}

function Nav({ email }: { email: string }) {
  const [error, setError] = useState<unknown>(null);
  return (
    <nav aria-label="Main">
      <ul>
        {NAV.map((item) => (
          <li key={item.href}>
            <Link href={item.href}>{item.label}</Link>
          </li>
        ))}
      </ul>
      <div className="who">
        <span className="email" title={email}>
          {email}
        </span>
        <button
          type="button"
          className="secondary small"
          onClick={() => signOut(false).catch((e) => setError(e))}
        >
          Sign out
        </button>
      </div>
      {error ? (
        <p className="error" role="alert">
          {describe(error)}
        </p>
      ) : null}
    </nav>
  );
}
