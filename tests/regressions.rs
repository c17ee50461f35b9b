//! Named regressions of the byte-range audit (issue 6, part 1): each failed before its fix.
//! Separators wider than one byte and lone `\r` line ends (a line end in CommonMark and LSP).

use std::path::Path;

use deployspec::analysis::{analyze_text, Analysis, Input};
use deployspec::config::Config;
use deployspec::index::SpecIndex;

fn analyze(text: &str) -> Analysis {
    analyze_text(&Input {
        text,
        path: Some(Path::new(
            "/ws/docs/specs/deployment-procedure/deploy-001-x.md",
        )),
        explicit: true,
        config: &Config::default(),
        index: &SpecIndex::default(),
    })
}

fn finding_texts<'a>(text: &'a str, a: &Analysis, code: &str) -> Vec<&'a str> {
    a.findings
        .iter()
        .filter(|f| f.rule.code() == code)
        .map(|f| &text[f.range.clone()])
        .collect()
}

/// DP070 pointed one byte past each separator, so after an ideographic space (3 bytes) the range
/// of the unknown code was shifted by two bytes (and could end inside a character).
#[test]
fn regression_suppression_codes_after_a_wide_separator() {
    for text in [
        "# Deploy\n\n<!-- deployspec-disable DP010,\u{3000}DP999 -->\n",
        "# Deploy\n\n<!-- deployspec-disable\u{3000}DP999 -->\n",
        "# Deploy\n\n<!-- deployspec-disable DP010\u{a0}\u{2003}DP999,DP998 -->\n",
    ] {
        let a = analyze(text);
        let mut got = finding_texts(text, &a, "DP070");
        got.sort();
        let want: Vec<&str> = ["DP998", "DP999"]
            .into_iter()
            .filter(|c| text.contains(c))
            .collect();
        assert_eq!(got, want, "{text:?}");
    }
}

/// A suppression whose codes are separated by a wide space still suppresses both rules.
#[test]
fn regression_suppression_wide_separator_still_suppresses() {
    let text =
        "# Deploy\n\n<!-- deployspec-disable\u{3000}DP040,\u{3000}DP070 -->\n\nTODO: later\n";
    let a = analyze(text);
    assert!(
        finding_texts(text, &a, "DP040").is_empty(),
        "{:?}",
        a.findings
    );
    let rules: Vec<&str> = a.model.suppressions[0]
        .rules
        .iter()
        .map(|(n, r)| {
            assert_eq!(&text[r.clone()], n);
            n.as_str()
        })
        .collect();
    assert_eq!(rules, ["DP040", "DP070"]);
}

/// Labels were split on `\n` only: with lone `\r` line ends, `Time: 5 min\rVerify: …` was one
/// label whose value ran to the end of the paragraph.
#[test]
fn regression_labels_on_lone_cr_lines() {
    let text = "# Deploy\r\rTime: 5 min\rVerify: pods ready\r";
    let a = analyze(text);
    let labels: Vec<(&str, &str)> = a
        .model
        .labels
        .iter()
        .map(|l| (&*l.label, &text[l.value.clone()]))
        .collect();
    assert_eq!(labels, [("time", "5 min"), ("verify", "pods ready")]);
}

/// Front matter fields were split on `\n` only: a `\r`-only file had one field holding the rest.
#[test]
fn regression_front_matter_on_lone_cr_lines() {
    let text = "---\rid: DEPLOY-007\rtype: deployment-procedure\r---\r\r# Deploy\r";
    let a = analyze(text);
    let fm = a.model.front_matter.as_ref().expect("front matter found");
    assert_eq!(fm.get("id"), Some("DEPLOY-007"));
    assert_eq!(fm.get("type"), Some("deployment-procedure"));
    assert_eq!(a.file.id.as_deref(), Some("DEPLOY-007"));
}

/// Sentences ended at `\n` but not at a lone `\r`: "Roll back if needed" on the line before a
/// `Step 3` mention made that mention a rollback reference.
#[test]
fn regression_sentences_end_at_lone_cr() {
    for eol in ["\n", "\r\n", "\r"] {
        let text = format!("# Deploy{eol}{eol}Roll back if needed{eol}Step 3 deploys it{eol}");
        let a = analyze(&text);
        assert_eq!(a.model.step_refs.len(), 1, "{eol:?}");
        assert!(!a.model.step_refs[0].rollback, "{eol:?}");
    }
}

/// A fence closed on a lone-`\r` line was taken for an unclosed one (`str::lines` splits on `\n`
/// only), which joined its region with the rest of the document.
#[test]
fn regression_fence_closed_on_lone_cr_line() {
    use deployspec::analysis::syntax::{ends_in_open_fence, parse};
    let closed = "text\r\r```bash\rls\r```\r";
    assert!(!ends_in_open_fence(&parse(closed), closed));
    let open = "text\r\r```bash\rls\r";
    assert!(ends_in_open_fence(&parse(open), open));
}
