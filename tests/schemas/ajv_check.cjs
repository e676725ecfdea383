// Validate events against marsad's JSON Schemas with ajv (a validator outside Python).
// Usage: node ajv_check.cjs SCHEMA_DIR < cases.json   where cases.json is [{"name", "payload"}, ...].
// Prints {"name": true | "first error", ...}: a payload is checked against the schema of its
// own "type" and "version" (a type without a schema is an error, as the decoder says).
"use strict";
const fs = require("fs");
const path = require("path");
const Ajv2020 = require("ajv/dist/2020");
const addFormats = require("ajv-formats");

const ajv = new Ajv2020({ allErrors: false, strict: false });
addFormats(ajv);
const dir = process.argv[2];
const validators = {};
for (const file of fs.readdirSync(dir)) {
  const m = file.match(/^(\w+)\.v(\d+)\.schema\.json$/);
  if (m) validators[`${m[1]}/${m[2]}`] = ajv.compile(JSON.parse(fs.readFileSync(path.join(dir, file), "utf8")));
}
const cases = JSON.parse(fs.readFileSync(0, "utf8"));
const out = {};
for (const { name, payload } of cases) {
  const check = payload && typeof payload === "object" && validators[`${payload.type}/${payload.version}`];
  if (!check) { out[name] = "no schema for this type and version"; continue; }
  out[name] = check(payload) ? true : `${check.errors[0].instancePath} ${check.errors[0].message}`;
}
process.stdout.write(JSON.stringify(out));
