//! `forgehand schema`: the shipped schemas are the generated ones, every shipped example
//! validates against its schema, and invalid documents do not. The validator below covers the
//! subset of JSON Schema the generator emits and is tested on its own.

use forgehand::config::schema::{schema_text, FileKind};
use serde_json::{json, Value};
use yaml_rust2::{Yaml, YamlLoader};

/// Validates `doc` against `schema`; each error names the JSON path.
fn validate(schema: &Value, doc: &Value, path: &str, errors: &mut Vec<String>) {
    let Value::Object(s) = schema else {
        if schema == &json!(false) {
            errors.push(format!("{path}: not allowed"));
        }
        return;
    };
    if let Some(types) = s.get("type") {
        let names: Vec<&str> = match types {
            Value::String(t) => vec![t.as_str()],
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
            _ => panic!("bad type in schema: {types}"),
        };
        if !names.iter().any(|t| is_type(doc, t)) {
            errors.push(format!("{path}: expected {names:?}, found {doc}"));
            return;
        }
    }
    if let Some(Value::Array(allowed)) = s.get("enum") {
        if !allowed.contains(doc) {
            errors.push(format!("{path}: {doc} is not one of {allowed:?}"));
        }
    }
    for (key, exactly_one) in [("anyOf", false), ("oneOf", true)] {
        if let Some(Value::Array(choices)) = s.get(key) {
            let passing = choices
                .iter()
                .filter(|c| {
                    let mut e = Vec::new();
                    validate(c, doc, path, &mut e);
                    e.is_empty()
                })
                .count();
            if passing == 0 || (exactly_one && passing > 1) {
                errors.push(format!("{path}: {passing} of the {key} choices match"));
            }
        }
    }
    if let Value::Array(items) = doc {
        if let Some(item_schema) = s.get("items") {
            for (i, item) in items.iter().enumerate() {
                validate(item_schema, item, &format!("{path}[{i}]"), errors);
            }
        }
    }
    if let Value::Object(map) = doc {
        if let Some(Value::Array(required)) = s.get("required") {
            for r in required.iter().filter_map(Value::as_str) {
                if !map.contains_key(r) {
                    errors.push(format!("{path}: missing required `{r}`"));
                }
            }
        }
        let count = map.len() as u64;
        if s.get("minProperties")
            .and_then(Value::as_u64)
            .is_some_and(|n| count < n)
            || s.get("maxProperties")
                .and_then(Value::as_u64)
                .is_some_and(|n| count > n)
        {
            errors.push(format!("{path}: {count} entries is out of bounds"));
        }
        let properties = s.get("properties").and_then(Value::as_object);
        for (key, value) in map {
            let at = format!("{path}.{key}");
            if let Some(names) = s.get("propertyNames") {
                validate(names, &json!(key), &at, errors);
            }
            match properties.and_then(|p| p.get(key)) {
                Some(sub) => validate(sub, value, &at, errors),
                None => match s.get("additionalProperties") {
                    Some(Value::Bool(false)) => {
                        errors.push(format!("{at}: unknown key `{key}`"));
                    }
                    Some(sub) => validate(sub, value, &at, errors),
                    None => {}
                },
            }
        }
    }
}

fn is_type(v: &Value, t: &str) -> bool {
    match t {
        "null" => v.is_null(),
        "boolean" => v.is_boolean(),
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        "string" => v.is_string(),
        "array" => v.is_array(),
        "object" => v.is_object(),
        other => panic!("unknown type {other}"),
    }
}

fn errors_of(schema: &Value, doc: &Value) -> Vec<String> {
    let mut errors = Vec::new();
    validate(schema, doc, "$", &mut errors);
    errors
}

/// YAML (as yaml-rust2 types it) → JSON.
fn to_json(y: &Yaml) -> Value {
    match y {
        Yaml::Null | Yaml::BadValue => Value::Null,
        Yaml::Boolean(b) => json!(b),
        Yaml::Integer(i) => json!(i),
        Yaml::Real(r) => json!(r.parse::<f64>().expect("a YAML float")),
        Yaml::String(s) => json!(s),
        Yaml::Array(items) => Value::Array(items.iter().map(to_json).collect()),
        Yaml::Hash(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let key = match k {
                        Yaml::String(s) => s.clone(),
                        Yaml::Integer(i) => i.to_string(),
                        other => panic!("unsupported key {other:?}"),
                    };
                    (key, to_json(v))
                })
                .collect(),
        ),
        Yaml::Alias(_) => panic!("aliases are not used in the examples"),
    }
}

fn yaml(text: &str) -> Value {
    let docs = YamlLoader::load_from_str(text).expect("valid YAML");
    docs.first().map(to_json).unwrap_or(Value::Null)
}

fn schema_of(kind: FileKind) -> Value {
    serde_json::from_str(&schema_text(kind)).expect("the schema is JSON")
}

#[test]
fn the_shipped_schemas_are_the_generated_ones() {
    for (kind, file, flag) in [
        (FileKind::Server, "schema/forgehand.server.json", "server"),
        (FileKind::Repo, "schema/forgehand.repo.json", "repo"),
    ] {
        let shipped = std::fs::read_to_string(file).expect("shipped schema");
        assert!(
            shipped == schema_text(kind),
            "{file} is out of date; regenerate it with\n  cargo run -q -- schema --kind {flag} > {file}"
        );
    }
}

#[test]
fn every_shipped_example_validates_against_its_schema_and_names_it() {
    let cases = [
        (
            "config/forgehand.yml",
            FileKind::Server,
            "forgehand.server.json",
        ),
        (
            "config/weekly-releases.yml",
            FileKind::Server,
            "forgehand.server.json",
        ),
        (
            "config/release-train.yml",
            FileKind::Server,
            "forgehand.server.json",
        ),
        (
            "config/example.forgehand.yml",
            FileKind::Repo,
            "forgehand.repo.json",
        ),
    ];
    for (file, kind, schema_file) in cases {
        let text = std::fs::read_to_string(file).expect("example");
        let first = text.lines().next().unwrap_or_default();
        assert_eq!(
            first,
            format!("# yaml-language-server: $schema=../schema/{schema_file}"),
            "{file}"
        );
        let errors = errors_of(&schema_of(kind), &yaml(&text));
        assert!(errors.is_empty(), "{file}: {errors:#?}");
    }
}

#[test]
fn unknown_sections_and_server_only_sections_in_a_repo_file_fail() {
    let server = schema_of(FileKind::Server);
    let repo = schema_of(FileKind::Repo);
    let unknown = yaml("rules: []\nlabelz: {}\n");
    assert!(errors_of(&server, &unknown)[0].contains("unknown key `labelz`"));
    assert!(errors_of(&repo, &unknown)[0].contains("unknown key `labelz`"));
    for section in [
        "roles:\n  mallory: owner\n",
        "github:\n  webhook_secrets: [x]\n",
    ] {
        let doc = yaml(section);
        assert!(errors_of(&server, &doc).is_empty(), "{section}");
        let found = errors_of(&repo, &doc);
        assert_eq!(found.len(), 1, "{section}: {found:?}");
        assert!(found[0].contains("unknown key"), "{found:?}");
    }
    let bad_rule = yaml("rules:\n  - id: a\n    when: [issue.opened]\n");
    assert!(errors_of(&repo, &bad_rule)[0].contains("$.rules[0].when"));
    let bad_role = yaml("commands:\n  cc: admin\n");
    assert!(!errors_of(&repo, &bad_role).is_empty());
}

#[test]
fn the_validator_checks_each_keyword_it_supports() {
    let schema = json!({
        "type": "object",
        "properties": {
            "n": { "type": "integer" },
            "tags": { "type": "array", "items": { "enum": ["a", "b"] } },
            "one": { "oneOf": [{ "type": "string" }, { "enum": ["x"] }] },
        },
        "required": ["n"],
        "additionalProperties": { "type": "boolean" },
        "maxProperties": 4,
    });
    assert!(errors_of(&schema, &json!({ "n": 1, "tags": ["a"], "extra": true })).is_empty());
    let cases = [
        json!([]),
        json!({ "tags": [] }),
        json!({ "n": 1.5 }),
        json!({ "n": 1, "tags": ["c"] }),
        json!({ "n": 1, "extra": "no" }),
        json!({ "n": 1, "one": "x" }),
        json!({ "n": 1, "a": true, "b": true, "c": true, "d": true }),
    ];
    for doc in cases {
        assert_eq!(errors_of(&schema, &doc).len(), 1, "{doc}");
    }
    let names = json!({ "propertyNames": { "enum": ["k"] }, "additionalProperties": false });
    assert_eq!(errors_of(&names, &json!({ "z": 1 })).len(), 2);
    assert_eq!(
        errors_of(&json!({ "anyOf": [{ "type": "null" }] }), &json!(1)).len(),
        1
    );
}
