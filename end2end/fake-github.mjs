// A small stand-in for GitHub's releases and pulls API, for the end-to-end journeys: tags,
// releases, 422 "already_exists", drafts hidden from get-by-tag, pull requests. A journey opens
// and merges pull requests through `PUT /_fake/pulls/{n}` (no token: it plays the developer on
// GitHub). Started by playwright.config.ts.
import http from "node:http";

const port = Number(process.env.FAKE_GITHUB_PORT);
const token = process.env.FAKE_GITHUB_TOKEN;
const refs = new Map();
const releases = [];
const pulls = new Map();
let nextId = 1;

function send(res, status, body) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

function release(tag, body) {
  const id = nextId++;
  return {
    url: `https://api.github.com/repos/x/y/releases/${id}`,
    html_url: `https://github.com/example/trainyard-demo/releases/tag/${tag}`,
    assets_url: "", upload_url: "", id, node_id: `RE_${id}`, tag_name: tag,
    target_commitish: body.target_commitish ?? "main", name: body.name ?? tag, body: body.body ?? "",
    draft: !!body.draft, prerelease: !!body.prerelease, assets: [],
  };
}

http
  .createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => (raw += c));
    req.on("end", () => {
      const url = new URL(req.url, "http://x");
      const body = raw ? JSON.parse(raw) : {};
      let pull;
      if (req.method === "PUT" && (pull = url.pathname.match(/^\/_fake\/pulls\/(\d+)$/))) {
        const number = Number(pull[1]);
        pulls.set(number, {
          number, html_url: `https://github.com/example/trainyard-demo/pull/${number}`,
          state: body.merged_at ? "closed" : "open", merged: !!body.merged_at,
          merged_at: body.merged_at ?? null, merge_commit_sha: body.merge_commit_sha ?? null,
          base: { ref: body.base }, head: { ref: `cherry-pick-${number}` },
        });
        return send(res, 200, pulls.get(number));
      }
      if (req.headers.authorization !== `Bearer ${token}`) return send(res, 401, { message: "Bad credentials" });
      const path = url.pathname.replace(/^\/repos\/[^/]+\/[^/]+/, "");
      let m;
      if (req.method === "GET" && (m = path.match(/^\/git\/ref\/tags\/(.+)$/))) {
        const sha = refs.get(m[1]);
        return sha ? send(res, 200, { ref: `refs/tags/${m[1]}`, object: { type: "commit", sha } }) : send(res, 404, { message: "Not Found" });
      }
      if (req.method === "POST" && path === "/git/refs") {
        const tag = body.ref.replace("refs/tags/", "");
        if (refs.has(tag)) return send(res, 422, { message: "Reference already exists" });
        refs.set(tag, body.sha);
        return send(res, 201, { ref: body.ref, object: { type: "commit", sha: body.sha } });
      }
      if (req.method === "GET" && path === "/releases") return send(res, 200, [...releases].reverse());
      if (req.method === "POST" && path === "/releases") {
        if (releases.some((r) => r.tag_name === body.tag_name))
          return send(res, 422, { message: "Validation Failed", errors: [{ resource: "Release", code: "already_exists", field: "tag_name" }] });
        const r = release(body.tag_name, body);
        releases.push(r);
        return send(res, 201, r);
      }
      if (req.method === "PATCH" && (m = path.match(/^\/releases\/(\d+)$/))) {
        const r = releases.find((x) => x.id === Number(m[1]));
        if (!r) return send(res, 404, { message: "Not Found" });
        Object.assign(r, body);
        return send(res, 200, r);
      }
      if (req.method === "GET" && (m = path.match(/^\/pulls\/(\d+)$/))) {
        const found = pulls.get(Number(m[1]));
        return found ? send(res, 200, found) : send(res, 404, { message: "Not Found" });
      }
      if (req.method === "GET" && path === "/") return send(res, 200, { ok: true });
      send(res, 500, { message: `the fake GitHub has no route ${req.method} ${url.pathname}` });
    });
  })
  .listen(port, "127.0.0.1");
