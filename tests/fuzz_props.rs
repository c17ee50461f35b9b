//! The fuzz targets on stable: bounded proptest runs of the same harness (`fuzz/src/lib.rs`),
//! with inputs assembled from Markdown and deployspec tokens (the fuzz dictionary's) and any
//! characters. Fixed seeds, so a run is reproducible; failures are persisted next to this file
//! (`fuzz_props.proptest-regressions`, committed) and replayed first.

#[path = "../fuzz/src/lib.rs"]
#[allow(dead_code)]
mod harness;

use proptest::prelude::*;
use proptest::test_runner::{FileFailurePersistence, RngSeed};

/// Pieces of Markdown that change structure, and text that stresses positions.
const TOKENS: &[&str] = &[
    "\n",
    "\n\n",
    "\r\n",
    "\r",
    " ",
    "    ",
    "\t",
    "<!--",
    "-->",
    "<!-->",
    "<!--->",
    "<!-- deployspec-disable DP020 -->",
    "<!-- deployspec-enable -->",
    "<!-- deployspec-disable-next-line DP999 DP040 -->",
    "<div>",
    "```",
    "```sh\n",
    "~~~",
    "`",
    "---\n",
    "id: DEPLOY-001\n",
    "type: deployment-procedure\n",
    "# ",
    "## ",
    "### ",
    "\n===\n",
    "## Prerequisites\n",
    "## Deployment Procedure\n",
    "## Rollback\n",
    "## Success Criteria\n",
    "## Monitoring\n",
    "## Troubleshooting\n",
    "### Issue: ",
    "### 5. Roll back the migration\n",
    "**Step ",
    "### Step ",
    "1: Stop",
    "Step 3",
    "see Step 9 to roll back",
    "**",
    "- Time: ",
    "~15 minutes",
    "- Verify: ",
    "**Component**: x\n",
    "- [ ] ",
    "- [x] ",
    "  - [ ] ",
    "- ",
    "1. ",
    "> ",
    "[CMP-",
    "[CMP-001]",
    "[DEPLOY-001]",
    "](",
    "TODO",
    "{{x}}",
    "DP0",
    "| a | b |\n|---|---|\n",
    "\\",
    "😀",
    "👩\u{200d}💻",
    "日本語",
    "e\u{301}",
    "\u{feff}",
    "\u{2028}",
];

fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (0..TOKENS.len()).prop_map(|i| TOKENS[i].to_string()),
        1 => "[a-zA-Z0-9 .:]{1,12}",
        1 => any::<char>().prop_map(String::from),
    ]
}

fn text(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(piece(), 0..max).prop_map(|v| v.concat())
}

fn config(cases: u32, seed: u64) -> ProptestConfig {
    ProptestConfig {
        cases,
        rng_seed: RngSeed::Fixed(seed),
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions",
        ))),
        ..ProptestConfig::default()
    }
}

/// An `edits` input: flags, a document, then edits separated by 0xFF.
fn edits_input() -> impl Strategy<Value = Vec<u8>> {
    (
        any::<u8>(),
        text(40),
        prop::collection::vec((any::<u16>(), any::<u8>(), text(3)), 0..12),
    )
        .prop_map(|(flags, doc, edits)| {
            let mut v = vec![flags];
            v.extend_from_slice(doc.as_bytes());
            for (at, del, ins) in edits {
                v.push(0xFF);
                v.extend_from_slice(&at.to_be_bytes());
                v.push(del);
                v.extend_from_slice(ins.as_bytes());
            }
            v
        })
}

/// A `.deployspec.toml` (or editor-settings JSON) assembled from its keys, values and junk.
fn config_text() -> impl Strategy<Value = String> {
    const PARTS: &[&str] = &[
        "spec_root = \"specs\"\n",
        "[rules]\n",
        "DP010 = \"off\"\n",
        "step-without-time = \"error\"\n",
        "DP999 = \"off\"\n",
        "\"DP\\u0030\\u0032\\u0030\" = \"hint\"\n",
        "DP020 = \"loud\"\n",
        "[sections]\n",
        "required = [\"rollback\", \"monitoring\"]\n",
        "recommended = []\n",
        "required = [\"nope\"]\n",
        "[references]\n",
        "prefixes = [\"\", \"adr\", \"X-Y\", \"日本\"]\n",
        "[features]\n",
        "hover = false\n",
        "spec_rot = 1\n",
        "{\"rules\": {\"DP020\": \"error\"}, \"references\": {\"prefixes\": [\"RFC\"]}}",
        "\"",
        "=",
        "[",
        "]",
        "\r\n",
        "😀",
    ];
    prop::collection::vec(
        prop_oneof![
            4 => (0..PARTS.len()).prop_map(|i| PARTS[i].to_string()),
            1 => any::<char>().prop_map(String::from),
        ],
        0..12,
    )
    .prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(config(160, 0xDE910))]
    #[test]
    fn analysis_of_any_text_with_any_configuration(
        header in prop::array::uniform6(any::<u8>()),
        body in text(80),
    ) {
        let mut data = header.to_vec();
        data.extend_from_slice(body.as_bytes());
        harness::analysis(&data);
    }
}

proptest! {
    #![proptest_config(config(48, 0xED175))]
    #[test]
    fn edit_sequences_incremental_equals_fresh(data in edits_input()) {
        harness::edits(&data);
    }
}

proptest! {
    #![proptest_config(config(256, 0x905))]
    #[test]
    fn positions_round_trip(probe in prop::array::uniform8(any::<u8>()), body in text(30)) {
        let mut data = probe.to_vec();
        data.extend_from_slice(body.as_bytes());
        harness::positions(&data);
    }
}

proptest! {
    #![proptest_config(config(256, 0xC0F16))]
    #[test]
    fn configuration_loads_or_says_where(text in config_text()) {
        harness::config(text.as_bytes());
    }
}
