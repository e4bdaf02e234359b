//! `ruvheal audit verify` on a real chain: intact, then edited, deleted,
//! reordered, inserted and forged rows, each found and named (exit 2).

use postgres::Client;
use ruvheal::audit::Entry;
use ruvheal::store::audit::append;

use crate::harness::{TestDb, db, run};

/// Starts the chain over with `n` rows (HMAC-signed with `key` if given).
fn fresh_chain(c: &mut Client, n: usize, key: Option<&[u8]>) {
    c.batch_execute("TRUNCATE ruvheal.audit_log").unwrap();
    for i in 0..n {
        let e = Entry {
            action: ["plan", "approve", "step", "verify", "rollback"][i % 5].into(),
            collection: Some("public.emb".into()),
            subject: serde_json::json!({"plan_id": 7, "step": i, "sql": "VACUUM \"public\".\"emb\"", "x": 0.1}),
        };
        append(c, "ruvheal", &e, key).unwrap();
    }
}

fn verify(db: &TestDb, key: Option<&str>) -> (i32, serde_json::Value) {
    let mut cmd = db.cmd();
    cmd.args(["audit", "verify", "-o", "json"]);
    match key {
        Some(k) => cmd.env("RUVHEAL_AUDIT_KEY", k),
        None => cmd.env_remove("RUVHEAL_AUDIT_KEY"),
    };
    let (code, out, err) = run(&mut cmd);
    let v = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out} {err}"));
    (code, v)
}

fn breaks(v: &serde_json::Value) -> Vec<(i64, String)> {
    v["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["seq"].as_i64().unwrap(),
                p["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn an_intact_chain_verifies_and_every_tamper_is_named() {
    let db = db();
    let (code, v) = verify(&db, None);
    assert_eq!(
        (code, v["rows"].as_i64()),
        (0, Some(0)),
        "an empty chain is intact"
    );
    let mut c = db.client();

    fresh_chain(&mut c, 6, None);
    let (code, v) = verify(&db, None);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["intact"], true);
    assert_eq!(v["rows"], 6);

    // edited
    c.batch_execute(
        "UPDATE ruvheal.audit_log SET subject = jsonb_set(subject, '{step}', '9') WHERE seq = 3",
    )
    .unwrap();
    let (code, v) = verify(&db, None);
    assert_eq!(code, 2);
    assert_eq!(breaks(&v), [(3, "edited".to_string())]);

    // deleted
    fresh_chain(&mut c, 6, None);
    c.batch_execute("DELETE FROM ruvheal.audit_log WHERE seq = 4")
        .unwrap();
    let (code, v) = verify(&db, None);
    assert_eq!(code, 2);
    assert_eq!(breaks(&v)[0].0, 5, "{v:#}");

    // reordered (two rows swap places)
    fresh_chain(&mut c, 6, None);
    c.batch_execute(
        "UPDATE ruvheal.audit_log SET seq = -2 WHERE seq = 2;
         UPDATE ruvheal.audit_log SET seq = 2 WHERE seq = 3;
         UPDATE ruvheal.audit_log SET seq = 3 WHERE seq = -2;",
    )
    .unwrap();
    let (code, v) = verify(&db, None);
    assert_eq!(code, 2);
    assert!(breaks(&v).iter().any(|b| b.0 == 2), "{v:#}");

    // inserted: a row squeezed in at the end of the numbering with a made-up link
    fresh_chain(&mut c, 3, None);
    c.batch_execute(
        "INSERT INTO ruvheal.audit_log (seq, action, subject, prev_hash, hash)
         VALUES (4, 'approve', '{}', 'forged', 'forged')",
    )
    .unwrap();
    let (code, v) = verify(&db, None);
    assert_eq!(code, 2);
    assert_eq!(
        breaks(&v),
        [(4, "broken_link".to_string()), (4, "edited".to_string())]
    );

    // the table output names the row
    let (code, out, _) = run(db.cmd().args(["audit", "verify"]));
    assert_eq!(code, 2);
    assert!(
        out.contains("TAMPERED") && out.contains("broken_link"),
        "{out}"
    );
}

#[test]
fn with_a_key_a_recomputed_chain_is_found() {
    let db = db();
    verify(&db, None); // creates the state schema
    let mut c = db.client();
    fresh_chain(&mut c, 4, Some(b"s3cret"));
    let (code, v) = verify(&db, Some("s3cret"));
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["hmac_checked"], true);
    assert_eq!(v["signed_from"], 1);
    // Someone with write access but without the key rewrites row 2 and re-chains
    // every later row with fresh SHA-256 hashes: the plain chain looks intact...
    let rows = ruvheal::store::audit::load(&mut c, "ruvheal").unwrap();
    let mut prev = rows[0].hash.clone();
    for mut r in rows.into_iter().skip(1) {
        if r.seq == 2 {
            r.subject = serde_json::json!({"plan_id": 8});
        }
        r.prev_hash = prev.clone();
        r.hash = r.expected_hash();
        c.execute(
            "UPDATE ruvheal.audit_log SET subject = $1, prev_hash = $2, hash = $3 WHERE seq = $4",
            &[&r.subject, &r.prev_hash, &r.hash, &r.seq],
        )
        .unwrap();
        prev = r.hash;
    }
    let (code, _) = verify(&db, None);
    assert_eq!(code, 0, "without the key the forgery is invisible");
    // ...but the HMACs give it away.
    let (code, v) = verify(&db, Some("s3cret"));
    assert_eq!(code, 2);
    assert_eq!(breaks(&v)[0], (2, "bad_hmac".to_string()), "{v:#}");
    // a wrong key flags every row
    let (code, _) = verify(&db, Some("other"));
    assert_eq!(code, 2);
}

#[test]
fn deleted_newest_rows_are_found_against_a_pinned_head() {
    let db = db();
    run(db.cmd().args(["status"])); // the state schema
    let mut c = db.client();
    fresh_chain(&mut c, 6, None);
    let (code, v) = verify(&db, None);
    assert_eq!(code, 0, "{v:#}");
    let head = format!(
        "{}:{}",
        v["head"]["seq"],
        v["head"]["hash"].as_str().unwrap()
    );
    assert!(head.starts_with("6:"), "{head}");
    let (code, text, _) = run(db.cmd().args(["audit", "verify"]));
    assert_eq!(code, 0);
    assert!(text.contains(&format!("--expect-head {head}")), "{text}");
    // Whoever can write the table deletes the two newest rows: still a valid chain ...
    c.batch_execute("DELETE FROM ruvheal.audit_log WHERE seq > 4")
        .unwrap();
    assert_eq!(verify(&db, None).0, 0);
    // ... but not to the head kept elsewhere.
    let (code, out, err) =
        run(db
            .cmd()
            .args(["audit", "verify", "--expect-head", &head, "-o", "json"]));
    assert_eq!(code, 2, "{out} {err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(breaks(&v), [(6, "truncated".to_string())]);
    assert!(
        v["problems"][0]["message"]
            .as_str()
            .unwrap()
            .contains("the chain now ends at row 4"),
        "{v:#}"
    );
    // A malformed head is a usage error, before anything is read.
    let (code, _, err) = run(db.cmd().args(["audit", "verify", "--expect-head", "6:xyz"]));
    assert_eq!(code, 64, "{err}");
    assert!(err.contains("--expect-head"), "{err}");
}
