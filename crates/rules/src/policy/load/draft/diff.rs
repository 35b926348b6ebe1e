//! The change between two sets of the same files, as a line diff.

/// The change between two sets of the same files, as a unified diff of the changed lines
/// (no context: `git apply --unidiff-zero` takes it), under `policy/`.
pub fn diff(before: &[(String, String)], after: &[(String, String)]) -> String {
    let mut out = String::new();
    for (name, old) in before {
        let Some((_, new)) = after.iter().find(|(n, _)| n == name) else {
            continue;
        };
        if old == new {
            continue;
        }
        out.push_str(&format!("--- a/policy/{name}\n+++ b/policy/{name}\n"));
        let (a, b): (Vec<&str>, Vec<&str>) = (old.lines().collect(), new.lines().collect());
        for h in hunks(&a, &b) {
            // Zero lines on a side: its start is the line before (as `diff -U0` writes it).
            let side = |start: usize, n: usize| {
                if n == 1 {
                    format!("{}", start + 1)
                } else if n == 0 {
                    format!("{start},0")
                } else {
                    format!("{},{n}", start + 1)
                }
            };
            out.push_str(&format!(
                "@@ -{} +{} @@\n",
                side(h.0, h.1.len()),
                side(h.2, h.3.len())
            ));
            for x in &h.1 {
                out.push_str(&format!("-{x}\n"));
            }
            for y in &h.3 {
                out.push_str(&format!("+{y}\n"));
            }
        }
    }
    out
}

/// A run of changed lines: where it starts in each file (0-based) and the lines removed and added.
type Hunk<'a> = (usize, Vec<&'a str>, usize, Vec<&'a str>);

/// The changed runs between two files' lines, by their longest common subsequence (policy
/// files are a few hundred lines: the table is small).
fn hunks<'a>(a: &[&'a str], b: &[&'a str]) -> Vec<Hunk<'a>> {
    let (n, m) = (a.len(), b.len());
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out: Vec<Hunk<'a>> = Vec::new();
    let mut open: Option<Hunk<'a>> = None;
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            out.extend(open.take());
            i += 1;
            j += 1;
        } else if j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j]) {
            open.get_or_insert((i, Vec::new(), j, Vec::new()))
                .3
                .push(b[j]);
            j += 1;
        } else {
            open.get_or_insert((i, Vec::new(), j, Vec::new()))
                .1
                .push(a[i]);
            i += 1;
        }
    }
    out.extend(open);
    out
}
