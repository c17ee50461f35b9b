//! Every rule on a file that triggers it and on one that must not. Most cases start from
//! `fixtures/complete.md` (a spec with zero findings) and change one thing, so each rule is
//! exercised inside a realistic document rather than only on a fixture made for it.

use std::path::{Path, PathBuf};

use deployspec::analysis::{analyze_text, Input};
use deployspec::config::Config;
use deployspec::diagnostic::Severity;
use deployspec::index::{SpecEntry, SpecIndex};

const COMPLETE: &str = include_str!("fixtures/complete.md");

fn index(ids: &[(&str, &str)]) -> SpecIndex {
    let mut idx = SpecIndex::from_entries(ids.iter().map(|(id, path)| SpecEntry {
        id: id.to_string(),
        path: PathBuf::from(path),
        display: path.to_string(),
        title: Some(format!("Spec {id}")),
        kind: None,
        owner: None,
        summary: None,
    }));
    idx.set_authoritative(true);
    idx
}

fn default_index() -> SpecIndex {
    index(&[
        ("CMP-001", "/ws/docs/specs/component/cmp-001-export.md"),
        ("CMP-002", "/ws/docs/specs/component/cmp-002-import.md"),
        ("DES-001", "/ws/docs/specs/design/des-001-export.md"),
    ])
}

struct Found {
    code: &'static str,
    severity: Severity,
    /// The text under the range.
    text: String,
    message: String,
}

fn check_with(md: &str, path: &str, config: &Config, idx: &SpecIndex) -> Vec<Found> {
    let a = analyze_text(&Input {
        text: md,
        path: Some(Path::new(path)),
        explicit: false,
        config,
        index: idx,
    });
    a.findings
        .iter()
        .map(|f| Found {
            code: f.rule.code(),
            severity: f.severity,
            text: md[f.range.clone()].to_string(),
            message: f.message.clone(),
        })
        .collect()
}

const PATH: &str = "/ws/docs/specs/deployment-procedure/deploy-001-export.md";

fn check(md: &str) -> Vec<Found> {
    check_with(md, PATH, &Config::default(), &default_index())
}

fn only(md: &str, code: &str) -> Vec<Found> {
    check(md).into_iter().filter(|f| f.code == code).collect()
}

fn texts(md: &str, code: &str) -> Vec<String> {
    only(md, code).into_iter().map(|f| f.text).collect()
}

fn edit(from: &str, to: &str) -> String {
    assert!(COMPLETE.contains(from), "fixture lacks {from:?}");
    COMPLETE.replacen(from, to, 1)
}

fn cut(from: &str, until: &str) -> String {
    let a = COMPLETE.find(from).expect("start");
    let b = a + COMPLETE[a..].find(until).expect("end");
    format!("{}{}", &COMPLETE[..a], &COMPLETE[b..])
}

#[test]
fn complete_spec_has_no_findings() {
    let found = check(COMPLETE);
    let list: Vec<_> = found.iter().map(|f| (f.code, &f.message)).collect();
    assert!(found.is_empty(), "{list:#?}");
}

#[test]
fn dp001_missing_section() {
    let md = cut("## Troubleshooting", "## After Deployment");
    let f = only(&md, "DP001");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].severity, Severity::Error);
    assert!(f[0].message.contains("Troubleshooting"));
    assert_eq!(f[0].text, "Deploy the export service — 輸出サービス 🚀");

    let md = cut("### Rollback Procedure", "## Deployment Success Criteria");
    assert!(only(&md, "DP001")[0].message.contains("Rollback"));

    // Post-deployment is only recommended; an H3 phase of that name inside the procedure is no
    // post-deployment section.
    let md = cut("## After Deployment", "\n- Announce").replace(
        "### Phase 2: Rollout",
        "### Post-Deployment (Verification Phase)",
    );
    let f = only(&md, "DP001");
    assert_eq!(
        f.len(),
        1,
        "{:?}",
        f.iter().map(|f| &f.message).collect::<Vec<_>>()
    );
    assert_eq!(f[0].severity, Severity::Warning);

    // A rollback H2 counts as much as an H3 inside the procedure.
    let md = edit("### Rollback Procedure", "## Rollback Procedure");
    assert!(only(&md, "DP001").is_empty());
}

/// Issue 10 §4: one finding per missing section, on the title (or the first line), saying where
/// the section would go, at the level the document's sections use.
#[test]
fn dp001_names_the_place_and_stays_on_one_line() {
    let md = "# Release checklist\n\n### Before the release\n\n- [x] CI green\n\n### Executing the release\n\n1. Tag\n\n### Post-release\n\n- Announce\n";
    let f = only(md, "DP001");
    let messages: Vec<_> = f.iter().map(|f| f.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "missing required section \"Rollback Procedure\": add a `### Rollback Procedure` section after \"Executing the release\" (line 7)",
            "missing required section \"Deployment Success Criteria\": add a `### Deployment Success Criteria` section after \"Executing the release\" (line 7)",
            "missing required section \"Monitoring and Alerting\": add a `### Monitoring and Alerting` section after \"Executing the release\" (line 7)",
            "missing required section \"Troubleshooting\": add a `### Troubleshooting` section after \"Executing the release\" (line 7)",
        ]
    );
    assert!(f.iter().all(|f| f.text == "Release checklist"));
    // No title: the first line, never the whole paragraph; nothing present: at the end.
    let md = "[back](../README.md) to the docs,\nwhich explain the rest.\n\nSome prose.\n";
    let f = only(md, "DP001");
    assert_eq!(f.len(), 7);
    assert!(f
        .iter()
        .all(|f| f.text == "[back](../README.md) to the docs,"));
    assert!(f[0]
        .message
        .ends_with("add a `## Prerequisites` section at the end"));
    // Before the first present section when nothing comes before it.
    let md = "# T\n\n## Steps\n\n1. Go\n";
    let f = only(md, "DP001");
    assert_eq!(
        f[0].message,
        "missing required section \"Prerequisites\": add a `## Prerequisites` section before \"Steps\" (line 3)"
    );
    // Sections recognised by what they are give no finding.
    let md = "# T\n\n## Before you begin\n\n## Migration steps\n\n## Back-out plan\n\n## Smoke test\n\n## Dashboards\n\n## Known issues\n\n## Follow-up\n";
    assert!(only(md, "DP001").is_empty());
}

#[test]
fn dp002_missing_metadata() {
    let md = edit("**Owner**: @data-platform\n", "");
    let f = only(&md, "DP002");
    assert_eq!(f.len(), 1);
    assert!(f[0].message.contains("Owner"));
    // Front matter supplies it just as well; list markers and plain labels are fine too.
    let md = format!(
        "---\nowner: data\n---\n{}",
        edit("**Owner**: @data-platform\n", "")
    );
    assert!(only(&md, "DP002").is_empty());
    let md = edit("**Owner**: @data-platform", "- Owner: @data-platform");
    assert!(only(&md, "DP002").is_empty());
    let md = edit("# Deploy the export service — 輸出サービス 🚀\n", "");
    assert!(only(&md, "DP002")
        .iter()
        .any(|f| f.message.contains("missing title"))); // A front matter `title:` is the title (static site generators render it as the H1); an
                                                        // empty one is not.
    let untitled = edit("# Deploy the export service — 輸出サービス 🚀\n", "");
    let titled = format!("---\ntitle: Deploy the export service 🚀\n---\n{untitled}");
    assert!(!only(&titled, "DP002")
        .iter()
        .any(|f| f.message.contains("missing title")));
    let empty = format!("---\ntitle: \n---\n{untitled}");
    assert!(only(&empty, "DP002")
        .iter()
        .any(|f| f.message.contains("missing title")));
}

#[test]
fn dp003_incomplete_prerequisites() {
    let md = cut("### Approvals", "## Deployment Procedure");
    let f = only(&md, "DP003");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].text, "Prerequisites");
    assert!(f[0].message.contains("Approvals"));
    // Where the sections are H3s, the groups are H4s.
    let md = "# T\n\n### Prerequisites\n\n#### Infrastructure\n\n- [x] a\n\n### Steps\n\n1. Go\n";
    let f = only(md, "DP003");
    assert_eq!(
        f[0].message,
        "prerequisites lack Code & Build, Team & Access, Approvals: add a `#### Code & Build` group"
    );
}

#[test]
fn dp010_unchecked_prerequisite() {
    let md = edit("- [x] Disk usage below 70 %", "- [ ] Disk usage below 70 %");
    assert_eq!(texts(&md, "DP010"), ["- [ ] Disk usage below 70 %"]);
    // Struck-through items (in the fixture) and items under Success Criteria (also unchecked in
    // the fixture) are not reported.
    assert!(only(COMPLETE, "DP010").is_empty());
    // A template is not checked.
    let md = format!("---\nstatus: template\n---\n{md}");
    assert!(only(&md, "DP010").is_empty());
}

#[test]
fn dp011_inconsistent_checklist() {
    let md = edit("  - [x] On every node", "  - [ ] On every node");
    let f = only(&md, "DP011");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].text, "- [x] Disk usage below 70 %");
    // The nested unchecked item is a prerequisite too.
    assert_eq!(only(&md, "DP010").len(), 1);
}

#[test]
fn dp020_step_without_time() {
    let md = edit("- Time: ~15 minutes\n", "");
    assert_eq!(texts(&md, "DP020"), ["**Step 3: Deploy the new version**"]);
    // A `Time:` line inside a code block is no estimate.
    let md = edit("- Time: ~15 minutes\n", "```text\nTime: ~15 minutes\n```\n");
    assert_eq!(texts(&md, "DP020"), ["**Step 3: Deploy the new version**"]);
    // Labels and bold variants are estimates.
    for line in [
        "- **Duration**: 15m",
        "- ETA: 1h",
        "- **Estimated time:** 90s",
    ] {
        let md = edit("- Time: ~15 minutes", line);
        assert!(only(&md, "DP020").is_empty(), "{line}");
    }
}

#[test]
fn dp020_heading_steps() {
    let md = COMPLETE
        .replace(
            "**Step 1: Enable maintenance mode**",
            "#### Step 1: Enable maintenance mode",
        )
        .replace("- Time: ~2 minutes\n", "");
    assert_eq!(texts(&md, "DP020"), ["Step 1: Enable maintenance mode"]);
}

#[test]
fn dp021_step_numbering() {
    let md = edit("**Step 3: Deploy", "**Step 2: Deploy");
    let f = only(&md, "DP021");
    assert!(
        f.iter().any(|f| f.message.contains("numbered twice")),
        "{:?}",
        f.iter().map(|f| &f.message).collect::<Vec<_>>()
    );
    let md = edit("**Step 2: Run", "**Step 7: Run");
    assert!(only(&md, "DP021")
        .iter()
        .any(|f| f.message.contains("Step 7 follows Step 1")));
    assert!(only(COMPLETE, "DP021").is_empty());
}

#[test]
fn dp021_on_ordered_list_steps() {
    const P: &str = "# T\n\n## Deployment Procedure\n\n";
    let messages =
        |md: &str| -> Vec<String> { only(md, "DP021").into_iter().map(|f| f.message).collect() };
    // A list under each phase heading counts from 1 again, as it renders.
    let md = format!("{P}### Build\n\n1. a\n2. b\n\n### Ship\n\n1. c\n2. d\n");
    assert_eq!(messages(&md), Vec::<String>::new());
    // The same restart with no heading between is a duplicate (a code block at column 0 split
    // the list; the reader sees 1, 2, 1).
    let md = format!("{P}1. a\n2. b\n\n```\nx\n```\n\n1. c\n");
    assert_eq!(
        messages(&md),
        ["Step 1 is numbered twice: renumber the steps so each number is used once"]
    );
    // A gap inside a list, and a list that goes on at 3 under a new heading, are reported.
    let md = format!("{P}1. a\n3. b\n");
    assert_eq!(messages(&md).len(), 1);
    let md = format!("{P}### Build\n\n1. a\n2. b\n\n### Ship\n\n4. c\n");
    assert_eq!(messages(&md).len(), 1);
    // Heading steps restarting under a new heading are still duplicates.
    let md = format!("{P}### Build\n\n**Step 1: a**\n\n### Ship\n\n**Step 1: b**\n");
    assert_eq!(messages(&md).len(), 1);
}

#[test]
fn dp022_unreadable_time() {
    let md = edit("- Time: ~15 minutes", "- Time: soon");
    let f = only(&md, "DP022");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].text, "soon");
    assert!(only(&md, "DP020").is_empty());
}

#[test]
fn dp023_unknown_step() {
    let md = edit("**Fix**: roll back with Step 4.", "**Fix**: see Step 12.");
    let f = only(&md, "DP023");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].text, "Step 12");
    assert_eq!(f[0].severity, Severity::Error);
    // `Step 12` in code is no reference.
    let md = edit(
        "**Fix**: roll back with Step 4.",
        "**Fix**: run `see Step 12`.",
    );
    assert!(only(&md, "DP023").is_empty());
}

#[test]
fn dp024_misdirected_rollback_reference() {
    let md = edit(
        "proceed to rollback (Step 4)",
        "proceed to rollback (Step 2)",
    );
    assert_eq!(texts(&md, "DP024"), ["Step 2"]);
    // "Step 3" in the same sentence is the condition, not the rollback target.
    assert!(only(COMPLETE, "DP024").is_empty());
    // A rollback step whose own title mentions Step 2 is no rollback reference.
    assert!(COMPLETE.contains("**Step 5: Revert the migrations of Step 2**"));
    // A duplicated target is ambiguous.
    let md = edit("**Step 5: Revert", "**Step 4: Revert");
    assert!(only(&md, "DP024")
        .iter()
        .any(|f| f.message.contains("2 steps share")));
}

#[test]
fn dp025_step_without_detail() {
    let md = edit("- Verify: all pods report ready\n", "");
    let f = only(&md, "DP025");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].severity, Severity::Information);
    assert!(f[0].message.contains("verification"));
    let md = edit(
        "```bash\nflagctl set export.maintenance --value on\n```\n",
        "- Command: `flagctl set export.maintenance --value on`\n",
    );
    assert!(only(&md, "DP025").is_empty());
}

#[test]
fn dp030_broken_reference() {
    let md = edit("[DES-001]", "[CMP-003]");
    let f = only(&md, "DP030");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].text, "CMP-003");
    assert!(
        f[0].message.contains("CMP-001") && f[0].message.contains("CMP-002"),
        "{}",
        f[0].message
    );
    // Link text and reference labels count; code spans, fences and unknown prefixes do not.
    let md = edit(
        "[DES-001]",
        "[the design](../design/des-404.md) and [DES-404](x.md)",
    );
    assert_eq!(texts(&md, "DP030"), ["DES-404"]);
    let md = edit(
        "[DES-001]",
        "`[CMP-404]` and [JIRA-123]\n\n```\n[CMP-405]\n```\n",
    );
    assert!(only(&md, "DP030").is_empty());
    let md = edit("[DES-001]", "[design][CMP-404]\n\n[CMP-404]: ../x.md");
    assert_eq!(texts(&md, "DP030"), ["CMP-404"]);
    // A configured prefix makes JIRA references spec references.
    let config =
        Config::from_toml("[references]\nprefixes = [\"CMP\", \"DES\", \"JIRA\"]\n").unwrap();
    let md = edit("[DES-001]", "[JIRA-123]");
    let f = check_with(&md, PATH, &config, &default_index());
    assert!(f.iter().any(|f| f.code == "DP030" && f.text == "JIRA-123"));
    // Without a spec root, nothing is known about IDs.
    let f = check_with(
        &edit("[DES-001]", "[CMP-003]"),
        PATH,
        &Config::default(),
        &SpecIndex::default(),
    );
    assert!(f.iter().all(|f| f.code != "DP030"));
}

/// Issue 10 §4: a spec ID is a known prefix (CMP, DES, DEPLOY, the index's, the configured
/// ones), a hyphen and digits, alone between the brackets. Other bracketed tokens are not
/// references, even where their first word is a known prefix.
#[test]
fn dp030_bracketed_tokens_that_are_not_ids() {
    let idx = index(&[
        ("CMP-001", "/ws/docs/specs/component/cmp-001-export.md"),
        ("CLIENT-001", "/ws/docs/specs/component/client-001.md"),
        ("DATE-001", "/ws/docs/specs/component/date-001.md"),
        ("RC-001", "/ws/docs/specs/component/rc-001.md"),
        ("NOTE-001", "/ws/docs/specs/component/note-001.md"),
    ]);
    let tokens =
        "Open [CLIENT-URL] on [DATE] for [RC.0 only] and [RC-1 only], see [CMP-001 notes], \
                  [CMP-1.2], [CMP-001a], [^CMP-404], [ ] and [x].\n\n\
                  > [!NOTE]\n> Check [CLIENT-URL][client-url] and [the runbook][rb-2].\n\n\
                  [client-url]: https://example.invalid/client\n\
                  [rb-2]: ../runbook.md\n";
    let md =
        edit("[DES-001]", "[CMP-001]").replace("- Announce", &format!("- Announce\n\n{tokens}"));
    let f = check_with(&md, PATH, &Config::default(), &idx);
    let dp030: Vec<_> = f
        .iter()
        .filter(|f| f.code == "DP030")
        .map(|f| &f.text)
        .collect();
    assert!(dp030.is_empty(), "{dp030:?}");
    // The same text with real but undefined IDs: each form fires, in any case.
    let md = md.replace(
        "Open [CLIENT-URL]",
        "Open [CMP-999], [client-404], [text][RC-404], [DATE-404](../x.md) and",
    );
    let f = check_with(&md, PATH, &Config::default(), &idx);
    let dp030: Vec<_> = f
        .iter()
        .filter(|f| f.code == "DP030")
        .map(|f| f.text.as_str())
        .collect();
    assert_eq!(dp030, ["CMP-999", "client-404", "RC-404", "DATE-404"]);
}

#[test]
fn dp031_duplicate_spec_id() {
    let idx = index(&[
        ("DEPLOY-001", PATH),
        (
            "DEPLOY-001",
            "/ws/docs/specs/deployment-procedure/deploy-001-other.md",
        ),
    ]);
    let f = check_with(COMPLETE, PATH, &Config::default(), &idx);
    let dup: Vec<_> = f.iter().filter(|f| f.code == "DP031").collect();
    assert_eq!(dup.len(), 1);
    assert!(dup[0].message.contains("deploy-001-other.md"));
    let idx = index(&[("DEPLOY-001", PATH)]);
    let f = check_with(COMPLETE, PATH, &Config::default(), &idx);
    assert!(f.iter().all(|f| f.code != "DP031"));
}

#[test]
fn dp040_placeholder() {
    let md = edit(
        "- Close CR-1234.",
        "- TODO close CR-1234 for {{ service_name }}.",
    );
    assert_eq!(texts(&md, "DP040"), ["TODO", "{{ service_name }}"]);
    let md = edit(
        "- Close CR-1234.",
        "- Run `TODO` and see {{< relref \"x\" >}}; TODOS are fine.",
    );
    assert!(only(&md, "DP040").is_empty());
}

#[test]
fn dp041_empty_section() {
    let md = cut("- Dashboard: export-service", "## Troubleshooting");
    assert_eq!(texts(&md, "DP041"), ["Monitoring and Alerting"]);
}

#[test]
fn dp050_slow_rollback() {
    let md = edit(
        "- Time: ~5 minutes\n\n**Step 5",
        "- Time: 2 hours\n\n**Step 5",
    );
    let f = only(&md, "DP050");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].text, "Rollback Procedure");
    assert!(f[0].message.contains("2h 5m"), "{}", f[0].message);
}

#[test]
fn dp060_incomplete_troubleshooting_entry() {
    let md = edit(
        "**Diagnosis**: `kubectl -n export logs deploy/export-service --previous`\n\n",
        "",
    );
    let f = only(&md, "DP060");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].text, "Issue: pods crash-loop after the rollout");
    assert!(f[0].message.contains("Diagnosis"));
}

#[test]
fn dp070_and_suppressions() {
    let md = edit(
        "- Time: ~15 minutes\n",
        "<!-- deployspec-disable DP999 -->\n",
    );
    assert_eq!(texts(&md, "DP070"), ["DP999"]);
    assert_eq!(only(&md, "DP020").len(), 1);

    let md = edit(
        "**Step 3: Deploy the new version**",
        "<!-- deployspec-disable-next-line DP020 -->\n**Step 3: Deploy the new version**",
    )
    .replace("- Time: ~15 minutes\n", "");
    assert!(only(&md, "DP020").is_empty());
    assert!(only(&md, "DP070").is_empty());

    let md = edit(
        "## Prerequisites\n",
        "## Prerequisites\n\n<!-- deployspec-disable unchecked-prerequisite -->\n",
    )
    .replace("- [x] Disk usage below 70 %", "- [ ] Disk usage below 70 %")
    .replace(
        "### Approvals",
        "<!-- deployspec-enable unchecked-prerequisite -->\n\n### Approvals",
    )
    .replace(
        "- [x] Change request CR-1234 approved",
        "- [ ] Change request CR-1234 approved",
    );
    assert_eq!(
        texts(&md, "DP010"),
        ["- [ ] Change request CR-1234 approved"]
    );
}

#[test]
fn severities_come_from_configuration() {
    let md = edit("- Verify: all pods report ready\n- Time: ~15 minutes\n", "");
    let default = check(&md);
    assert!(default
        .iter()
        .any(|f| f.code == "DP020" && f.severity == Severity::Warning));
    assert!(default.iter().any(|f| f.code == "DP025"));
    let config =
        Config::from_toml("[rules]\nstep-without-time = \"error\"\nDP025 = \"off\"\n").unwrap();
    let f = check_with(&md, PATH, &config, &default_index());
    assert!(f
        .iter()
        .any(|f| f.code == "DP020" && f.severity == Severity::Error));
    assert!(f.iter().all(|f| f.code != "DP025"));
}

#[test]
fn deployment_rules_apply_only_to_deployment_specs() {
    let component = "# Export service\n\nNothing else here. TODO\n";
    let f = check_with(
        component,
        "/ws/docs/specs/component/cmp-001-export.md",
        &Config::default(),
        &default_index(),
    );
    assert_eq!(f.iter().map(|f| f.code).collect::<Vec<_>>(), ["DP040"]);
    for path in [
        "/ws/docs/specs/deployment-procedure/x.md",
        "/ws/runbooks/deploy-007-export.md",
    ] {
        let f = check_with(component, path, &Config::default(), &default_index());
        assert!(f.iter().any(|f| f.code == "DP001"), "{path}");
    }
    // A Markdown file that is no spec (no ID, not a procedure) gets nothing.
    let f = check_with(
        component,
        "/ws/docs/README.md",
        &Config::default(),
        &default_index(),
    );
    assert!(f.is_empty());
    let f = check_with(
        &format!("---\nid: DES-009\n---\n{component}"),
        "/ws/docs/README.md",
        &Config::default(),
        &default_index(),
    );
    assert_eq!(f.iter().map(|f| f.code).collect::<Vec<_>>(), ["DP040"]);
    let typed = format!("---\ntype: deployment-procedure\n---\n{component}");
    let f = check_with(
        &typed,
        "/ws/notes/x.md",
        &Config::default(),
        &default_index(),
    );
    assert!(f.iter().any(|f| f.code == "DP001"));
}

/// Issue 6: a numbered step heading whose title mentions rolling back (`### 3. Roll back …`)
/// inside the procedure was taken for a Rollback section; every later step then counted as a
/// rollback step and DP021/DP023/DP024/DP050 reported nonsense.
#[test]
fn rollback_titled_step_heading_is_a_step() {
    let md = edit(
        "**Step 3: Deploy the new version**",
        "### 3. Roll back the canary, then deploy the new version",
    );
    let found = check(&md);
    assert!(
        found.is_empty(),
        "{:?}",
        found
            .iter()
            .map(|f| (f.code, &f.message))
            .collect::<Vec<_>>()
    );
    let a = analyze_text(&Input {
        text: &md,
        path: Some(Path::new(PATH)),
        explicit: false,
        config: &Config::default(),
        index: &default_index(),
    });
    let steps: Vec<(u32, bool, bool)> = a
        .model
        .steps
        .iter()
        .map(|s| (s.number, s.is_heading, s.in_rollback))
        .collect();
    assert_eq!(
        steps,
        [
            (1, false, false),
            (2, false, false),
            (3, true, false),
            (4, false, true),
            (5, false, true)
        ]
    );
    // Inside the rollback section, a step titled "roll back" is a rollback step; a rollback
    // heading that is no step still opens the rollback section.
    let md = edit(
        "**Step 4: Restore the previous image**",
        "#### 4. Roll back the image",
    );
    assert!(check(&md).is_empty());
    let md = edit("### Rollback Procedure", "### 4) Rolling back");
    let a = analyze_text(&Input {
        text: &md,
        path: Some(Path::new(PATH)),
        explicit: false,
        config: &Config::default(),
        index: &default_index(),
    });
    assert!(a
        .model
        .sections
        .iter()
        .all(|s| s.kind != deployspec::analysis::model::SectionKind::Rollback));
}

/// Issue 6: `TODO` in a link destination or an inline HTML comment is no placeholder in prose.
#[test]
fn dp040_not_in_link_destinations_or_inline_html() {
    let md = edit(
        "Deploys export-service v2.4 as designed in [DES-001].",
        "Deploys export-service v2.4 as designed in [DES-001]. See [the board](https://x.example/TODO-list) \
         and <https://x.example/TODO> <!-- TODO: link the runbook --> <span title=\"TODO\">here</span>.",
    );
    assert!(only(&md, "DP040").is_empty(), "{:?}", texts(&md, "DP040"));
    // Link text is prose, and so is the text around the link.
    let md = edit(
        "Deploys export-service v2.4 as designed in [DES-001].",
        "Deploys export-service v2.4 as designed in [TODO](https://x.example/a). TBD.",
    );
    assert_eq!(texts(&md, "DP040"), ["TODO", "TBD"]);
}

/// Issue 6: configured `[references] prefixes` add to CMP, DES and DEPLOY instead of replacing them.
#[test]
fn configured_reference_prefixes_add_to_the_defaults() {
    let config = Config::from_toml("[references]\nprefixes = [\"adr\"]\n").unwrap();
    assert_eq!(config.references.prefixes, ["CMP", "DES", "DEPLOY", "ADR"]);
    let md = edit("[DES-001]", "[DEPLOY-404] and [ADR-7]");
    let f = check_with(&md, PATH, &config, &default_index());
    let broken: Vec<&str> = f
        .iter()
        .filter(|f| f.code == "DP030")
        .map(|f| f.text.as_str())
        .collect();
    assert_eq!(broken, ["DEPLOY-404", "ADR-7"]);
}
