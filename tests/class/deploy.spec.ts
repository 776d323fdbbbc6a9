/**
 * The Zero-to-JupyterHub configuration cannot run here (no Docker, no Kubernetes); what can be
 * checked offline is: the YAML parses, every file the image recipes copy exists, and the service's
 * settings agree with the hub's.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";

const ROOT = path.join(__dirname, "../..");
const DIR = path.join(ROOT, "deploy/z2jh");

describe("deploy/z2jh (offline checks of an untested configuration)", () => {
  const docs = (f: string) => yaml.loadAll(fs.readFileSync(path.join(DIR, f), "utf8")) as Record<string, any>[];

  it("every YAML file parses", () => {
    for (const f of fs.readdirSync(DIR).filter((x) => x.endsWith(".yaml"))) assert.ok(docs(f).length > 0, f);
  });

  it("every file the image recipes copy exists in the repository", () => {
    for (const f of fs.readdirSync(DIR).filter((x) => x.endsWith(".Dockerfile"))) {
      for (const line of fs.readFileSync(path.join(DIR, f), "utf8").split("\n")) {
        const m = /^COPY\s+(.+)\s+\S+$/.exec(line.trim());
        if (!m) continue;
        for (const src of m[1].split(/\s+/)) assert.ok(fs.existsSync(path.join(ROOT, src)), `${f}: COPY ${src} does not exist`);
      }
    }
  });

  it("the hub's service entry, the service's settings and the workers agree", () => {
    const values = docs("values.yaml")[0];
    const svc = docs("course-service.yaml");
    const env = Object.fromEntries(svc[0].spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
    assert.equal(values.hub.services.course.url, `http://${svc[1].metadata.name}:${svc[1].spec.ports[0].port}`);
    assert.equal(env.JUPYTERHUB_SERVICE_PREFIX, "/services/course/");
    assert.ok(values.hub.loadRoles.user.scopes.includes("access:services!service=course"));
    const workers = docs("grader-workers.yaml")[0].spec.template.spec.containers[0];
    assert.ok(workers.command.includes("tools/grader-worker/main.ts"));
    assert.ok(fs.existsSync(path.join(ROOT, "tools/grader-worker/main.ts")));
  });
});
