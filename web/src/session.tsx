import { QueryCache, QueryClient, useQuery } from "@tanstack/react-query";
import { ApiProblem, api, type Me, must, setCsrfToken } from "./api/client";
import { navigate } from "./router";

/** One cache for the app. Any answer saying the session is gone signs the page out. */
export const queryClient: QueryClient = new QueryClient({
  queryCache: new QueryCache({
    onError: (error, query) => {
      if (error instanceof ApiProblem && error.status === 401 && query.queryKey[0] !== "me") signedOut();
    },
  }),
  defaultOptions: {
    queries: {
      retry: (count, error) => !(error instanceof ApiProblem && error.status < 500) && count < 2,
      refetchOnWindowFocus: true,
      staleTime: 2_000,
    },
  },
});

/** Forget everything of the account that was signed in, and go to the sign-in page. */
export function signedOut() {
  setCsrfToken(null);
  queryClient.clear();
  queryClient.setQueryData(["me"], null);
  if (window.location.pathname !== "/sign-in") {
    const back =
      window.location.pathname === "/" ? "" : `?next=${encodeURIComponent(window.location.pathname)}`;
    navigate(`/sign-in${back}`, { replace: true });
  }
}

/** The account after a sign-in answer (email code, passkey): remember its CSRF token. */
export function signedIn(me: Me) {
  setCsrfToken(me.csrfToken);
  queryClient.setQueryData(["me"], me);
}

/** The signed-in account, or null when nobody is. */
export function useMe() {
  return useQuery({
    queryKey: ["me"],
    queryFn: async (): Promise<Me | null> => {
      try {
        const me = await must(api.GET("/console/me"));
        setCsrfToken(me.csrfToken);
        return me;
      } catch (error) {
        if (error instanceof ApiProblem && error.status === 401) {
          setCsrfToken(null);
          return null;
        }
        throw error;
      }
    },
    staleTime: 30_000,
  });
}

/** Sign-in methods, network and contracts (public, fixed while the server runs). */
export function useSettings() {
  return useQuery({
    queryKey: ["settings"],
    queryFn: () => must(api.GET("/console/settings")),
    staleTime: Number.POSITIVE_INFINITY,
  });
}

/** Signs out this browser, or every session of the account; then back to the sign-in page. */
export async function signOut(everywhere: boolean): Promise<void> {
  if (everywhere) await must(api.POST("/console/auth/signout-all"));
  else await must(api.POST("/console/auth/signout"));
  signedOut();
}
