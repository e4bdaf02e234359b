//! Tests of the exact top-k scan over hand-built COPY streams.

use super::*;

use crate::sql::copy::test_stream as stream;

fn vector_bytes(v: &[f32]) -> Vec<u8> {
    let mut b = (v.len() as i16).to_be_bytes().to_vec();
    b.extend([0, 0]);
    v.iter().for_each(|x| b.extend(x.to_be_bytes()));
    b
}

#[test]
fn scans_a_stream_and_rejects_bad_rows() {
    // 41 rows: ten whole groups of four for the dense kernel and one row over
    let rows: Vec<Vec<f32>> = (0..41)
        .map(|i| vec![i as f32, (i % 7) as f32, 0.0])
        .collect();
    let enc: Vec<[Vec<u8>; 3]> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            [
                vec![0, 0, 0, 9],
                vec![0, 0, 0, i as u8, 0, 1],
                vector_bytes(r),
            ]
        })
        .collect();
    let tuples: Vec<Vec<Option<&[u8]>>> = enc
        .iter()
        .map(|t| t.iter().map(|f| Some(f.as_slice())).collect())
        .collect();
    let refs: Vec<&[Option<&[u8]>]> = tuples.iter().map(Vec::as_slice).collect();
    let s = stream(&refs, true);
    let probes = [
        Value::Vector(vec![10.0, 3.0, 0.0]),
        Value::Vector(vec![0.0, 0.0, 0.0]),
    ];
    for metric in [Metric::L2, Metric::L1, Metric::InnerProduct, Metric::Cosine] {
        let got = top_k_from_copy(&s[..], VecKind::Vector, metric, &probes, 5).unwrap();
        assert_eq!(got.rows_scanned, 41);
        assert_eq!(got.bytes_read, s.len() as u64);
        for (p, top) in probes.iter().zip(&got.neighbours) {
            let mut all: Vec<(f64, Tid)> = rows
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    (
                        metric.distance(p, &Value::Vector(r.clone())).unwrap(),
                        Tid {
                            table: 9,
                            block: i as u32,
                            offset: 1,
                        },
                    )
                })
                .filter(|(d, _)| !d.is_nan())
                .collect();
            all.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            all.truncate(5);
            assert_eq!(top, &all, "{metric}");
        }
    }
    // row 0 has norm 0: no cosine distance
    let cos = top_k_from_copy(&s[..], VecKind::Vector, Metric::Cosine, &probes, 5).unwrap();
    assert_eq!((cos.rows_skipped, cos.neighbours[1].len()), (1, 0));
    // a row of other dimensions, a malformed value, a NULL field: errors
    let short = vector_bytes(&[1.0]);
    let bad: [&[Option<&[u8]>]; 3] = [
        &[Some(&[0, 0, 0, 9]), Some(&[0, 0, 0, 0, 0, 1]), Some(&short)],
        &[
            Some(&[0, 0, 0, 9]),
            Some(&[0, 0, 0, 0, 0, 1]),
            Some(&[0, 3, 0]),
        ],
        &[Some(&[0, 0, 0, 9]), None, Some(&short)],
    ];
    for t in bad {
        assert!(
            top_k_from_copy(
                &stream(&[t], true)[..],
                VecKind::Vector,
                Metric::L2,
                &probes,
                5
            )
            .is_err()
        );
    }
    assert!(top_k_from_copy(&s[..], VecKind::Bit, Metric::L2, &probes, 5).is_err());

    // many probes over several threads: the same answer as one thread
    let many: Vec<Value> = (0..40)
        .map(|p| Value::Vector(vec![p as f32, 1.0, 2.0]))
        .collect();
    let one = scan_threads(&s[..], VecKind::Vector, Metric::L2, &many, 3, 1).unwrap();
    let three = scan_threads(&s[..], VecKind::Vector, Metric::L2, &many, 3, 3).unwrap();
    assert_eq!(one.neighbours, three.neighbours);
    assert_eq!((three.neighbours.len(), three.rows_scanned), (40, 41));
    // and a worker's error reaches the caller
    let mut bad_tail = s[..s.len() - 2].to_vec();
    bad_tail.extend(stream(&[bad[0]], true).split_off(21)); // past the header
    let err = scan_threads(&bad_tail[..], VecKind::Vector, Metric::L2, &many, 3, 3).unwrap_err();
    assert!(format!("{err:#}").contains("dimensions"), "{err:#}");
}
