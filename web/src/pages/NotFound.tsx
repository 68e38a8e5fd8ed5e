import { Link } from "../router";
import { useTitle } from "../ui";

export function NotFound() {
  useTitle("Not found");
  return (
    <div className="page">
      <h1>Page not found</h1>
      <p>
        There is no console page at <code>{window.location.pathname}</code>. Go to{" "}
        <Link href="/licenses">your licenses</Link>.
      </p>
    </div>
  );
}
