//! `.deployspec.toml`: parsed from text (the caller reads the file), validated, with defaults.

use std::collections::HashMap;

use serde::Deserialize;

use crate::analysis::model::{SectionHeadings, SectionKind};
use crate::diagnostic::Severity;
use crate::rules::Rule;

pub const FILE_NAME: &str = ".deployspec.toml";

#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    pub spec_root: String,
    /// Severity overrides; `None` turns a rule off.
    pub rules: HashMap<Rule, Option<Severity>>,
    pub sections: Sections,
    pub references: References,
    pub features: Features,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Sections {
    pub required: Vec<SectionKind>,
    pub recommended: Vec<SectionKind>,
    /// `[sections.headings]`: headings per kind, as written, added to the built-in phrases.
    pub extra_headings: Vec<(SectionKind, String)>,
    /// The built-in phrases and `extra_headings`, ready for the model builder.
    pub headings: SectionHeadings,
}

#[derive(Clone, Debug, PartialEq)]
pub struct References {
    pub prefixes: Vec<String>,
}

/// Editor features that can be switched off to run beside another Markdown server.
#[derive(Clone, Debug, PartialEq, Deserialize, serde::Serialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Features {
    pub diagnostics: bool,
    pub completion: bool,
    pub hover: bool,
    pub symbols: bool,
    pub inlay_hints: bool,
    pub code_lens: bool,
    pub code_actions: bool,
    pub links: bool,
}

impl Default for Features {
    fn default() -> Self {
        Features {
            diagnostics: true,
            completion: true,
            hover: true,
            symbols: true,
            inlay_hints: true,
            code_lens: true,
            code_actions: true,
            links: true,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            spec_root: "docs/specs".into(),
            rules: HashMap::new(),
            sections: Sections {
                required: vec![
                    SectionKind::Prerequisites,
                    SectionKind::Procedure,
                    SectionKind::Rollback,
                    SectionKind::SuccessCriteria,
                    SectionKind::Monitoring,
                    SectionKind::Troubleshooting,
                ],
                recommended: vec![SectionKind::PostDeployment],
                extra_headings: Vec::new(),
                headings: SectionHeadings::built_in().clone(),
            },
            references: References {
                prefixes: vec!["CMP".into(), "DES".into(), "DEPLOY".into()],
            },
            features: Features::default(),
        }
    }
}

impl Config {
    /// The severity a rule reports with, or `None` when it is off.
    pub fn severity(&self, rule: Rule) -> Option<Severity> {
        match self.rules.get(&rule) {
            Some(s) => *s,
            None => Some(rule.info().default),
        }
    }

    /// Whether `rule` keeps per-finding severities (DP001 reports recommended sections as
    /// warnings) — true unless configuration overrides it.
    pub fn overridden(&self, rule: Rule) -> bool {
        self.rules.contains_key(&rule)
    }

    /// Parses `.deployspec.toml` text. On error, the message says where and what to do.
    pub fn from_toml(text: &str) -> Result<Config, ConfigError> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let (line, column) = e.span().map(|s| line_col(text, s.start)).unwrap_or((1, 1));
            ConfigError {
                line,
                column,
                message: e.message().to_string(),
            }
        })?;
        Config::default().apply(raw, text)
    }

    /// Applies editor settings (`deployspec.*` from `workspace/configuration`) on top of this
    /// configuration. Unlike the file, the settings share their section with the editor's own
    /// (VS Code sends `server.path`, `trace.server`): keys deployspec does not know are left out
    /// and returned, dotted, for the caller to log. A known key with a wrong value is an error.
    pub fn with_settings(
        &self,
        settings: &serde_json::Value,
    ) -> Result<(Config, Vec<String>), ConfigError> {
        let mut settings = settings.clone();
        let mut ignored = Vec::new();
        prune_unknown_settings(&mut settings, &mut ignored);
        let raw: RawConfig = serde_json::from_value(settings).map_err(|e| ConfigError {
            line: 0,
            column: 0,
            message: format!("editor settings: {e}"),
        })?;
        Ok((self.clone().apply(raw, "")?, ignored))
    }

    fn apply(mut self, raw: RawConfig, text: &str) -> Result<Config, ConfigError> {
        let at = |needle: &str| {
            text.find(needle)
                .map(|o| line_col(text, o))
                .unwrap_or((0, 0))
        };
        if let Some(root) = raw.spec_root {
            self.spec_root = root;
        }
        for (key, level) in raw.rules.unwrap_or_default() {
            let (line, column) = at(&key);
            let rule = Rule::lookup(&key).ok_or_else(|| ConfigError {
                line,
                column,
                message: format!("unknown rule `{key}` in [rules]: use a code (DP010) or a name (unchecked-prerequisite); `deployspec explain` lists them"),
            })?;
            let severity = match level.to_ascii_lowercase().as_str() {
                "off" | "none" => None,
                "hint" => Some(Severity::Hint),
                "information" | "info" => Some(Severity::Information),
                "warning" | "warn" => Some(Severity::Warning),
                "error" => Some(Severity::Error),
                other => {
                    return Err(ConfigError {
                        line,
                        column,
                        message: format!("unknown severity `{other}` for {key}: use \"off\", \"hint\", \"information\", \"warning\" or \"error\""),
                    })
                }
            };
            self.rules.insert(rule, severity);
        }
        if let Some(s) = raw.sections {
            let kinds = |names: Vec<String>| -> Result<Vec<SectionKind>, ConfigError> {
                names
                    .into_iter()
                    .map(|n| {
                        SectionKind::from_key(&n).ok_or_else(|| {
                            let (line, column) = at(&n);
                            let all: Vec<&str> = SectionKind::ALL.iter().map(|k| k.key()).collect();
                            ConfigError {
                                line,
                                column,
                                message: format!(
                                    "unknown section `{n}` in [sections]: use one of {}",
                                    all.join(", ")
                                ),
                            }
                        })
                    })
                    .collect()
            };
            if let Some(r) = s.required {
                self.sections.required = kinds(r)?;
            }
            if let Some(r) = s.recommended {
                self.sections.recommended = kinds(r)?;
            }
            if let Some(h) = s.headings {
                // Editor settings over the file: a kind the settings name replaces the file's
                // headings of that kind, as every other setting replaces its key.
                for (kind, list) in h.into_kinds() {
                    if let Some(list) = list {
                        if let Some(bad) =
                            list.iter().find(|p| !p.chars().any(char::is_alphanumeric))
                        {
                            let (line, column) = at(&format!("{bad:?}"));
                            return Err(ConfigError {
                                line,
                                column,
                                message: format!(
                                    "heading {bad:?} in [sections.headings] {} has no letter or digit: write the heading's words, e.g. \"Undo plan\"",
                                    kind.key()
                                ),
                            });
                        }
                        self.sections.extra_headings.retain(|(k, _)| *k != kind);
                        self.sections
                            .extra_headings
                            .extend(list.into_iter().map(|p| (kind, p)));
                    }
                }
                self.sections.headings = SectionHeadings::with_extra(&self.sections.extra_headings);
            }
        }
        if let Some(r) = raw.references {
            // Configured prefixes add to CMP, DES and DEPLOY: the built-in spec types keep
            // their references checked.
            for p in r.prefixes.unwrap_or_default() {
                let p = p.to_ascii_uppercase();
                if !self.references.prefixes.contains(&p) {
                    self.references.prefixes.push(p);
                }
            }
        }
        if let Some(f) = raw.features {
            self.features = f;
        }
        Ok(self)
    }
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    spec_root: Option<String>,
    rules: Option<HashMap<String, String>>,
    sections: Option<RawSections>,
    references: Option<RawReferences>,
    features: Option<Features>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawSections {
    required: Option<Vec<String>>,
    recommended: Option<Vec<String>>,
    headings: Option<RawHeadings>,
}

/// Extra headings per section kind, matched like the built-in ones: case-insensitively, as whole
/// words anywhere in a heading (anywhere at all for Chinese, Japanese and Korean), emoji, numbers
/// and colons ignored. They are tried before the built-in phrases.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawHeadings {
    prerequisites: Option<Vec<String>>,
    procedure: Option<Vec<String>>,
    rollback: Option<Vec<String>>,
    #[serde(rename = "success-criteria")]
    success_criteria: Option<Vec<String>>,
    monitoring: Option<Vec<String>>,
    troubleshooting: Option<Vec<String>>,
    #[serde(rename = "post-deployment")]
    post_deployment: Option<Vec<String>>,
}

impl RawHeadings {
    fn into_kinds(self) -> [(SectionKind, Option<Vec<String>>); 7] {
        [
            (SectionKind::Prerequisites, self.prerequisites),
            (SectionKind::Procedure, self.procedure),
            (SectionKind::Rollback, self.rollback),
            (SectionKind::SuccessCriteria, self.success_criteria),
            (SectionKind::Monitoring, self.monitoring),
            (SectionKind::Troubleshooting, self.troubleshooting),
            (SectionKind::PostDeployment, self.post_deployment),
        ]
    }
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawReferences {
    prefixes: Option<Vec<String>>,
}

/// Removes the keys of editor settings that the configuration does not know (at the top, in
/// `[sections]`, `[references]`, `[features]`, and rule names in `[rules]`), noting each in
/// `ignored` as `deployspec.key.subkey`.
fn prune_unknown_settings(settings: &mut serde_json::Value, ignored: &mut Vec<String>) {
    let Some(top) = settings.as_object_mut() else {
        return;
    };
    let features = serde_json::to_value(Features::default()).unwrap_or_default();
    let known_features: Vec<&str> = features
        .as_object()
        .map(|m| m.keys().map(String::as_str).collect())
        .unwrap_or_default();
    let mut prune = |map: &mut serde_json::Map<String, serde_json::Value>,
                     prefix: &str,
                     known: &dyn Fn(&str) -> bool| {
        let unknown: Vec<String> = map.keys().filter(|k| !known(k)).cloned().collect();
        for k in unknown {
            map.remove(&k);
            ignored.push(format!("deployspec.{prefix}{k}"));
        }
    };
    prune(top, "", &|k| {
        matches!(
            k,
            "spec_root" | "rules" | "sections" | "references" | "features"
        )
    });
    type Known<'a> = &'a dyn Fn(&str) -> bool;
    let nested: [(&str, Known); 4] = [
        ("rules", &|k| Rule::lookup(k).is_some()),
        ("sections", &|k| {
            matches!(k, "required" | "recommended" | "headings")
        }),
        ("references", &|k| k == "prefixes"),
        ("features", &|k| known_features.contains(&k)),
    ];
    for (section, known) in nested {
        if let Some(map) = top.get_mut(section).and_then(|v| v.as_object_mut()) {
            prune(map, &format!("{section}."), known);
        }
    }
    if let Some(map) = top
        .get_mut("sections")
        .and_then(|v| v.get_mut("headings"))
        .and_then(|v| v.as_object_mut())
    {
        prune(map, "sections.headings.", &|k| {
            SectionKind::from_key(k).is_some()
        });
    }
}

/// A configuration problem; line and column are 1-based (0 when there is no file position).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line > 0 {
            write!(f, "{}:{}: {}", self.line, self.column, self.message)
        } else {
            write!(f, "{}", self.message)
        }
    }
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// JSON Schema of `.deployspec.toml`, for editor completion in TOML (taplo, Even Better TOML).
pub fn json_schema() -> serde_json::Value {
    let mut schema = serde_json::to_value(schemars::schema_for!(RawConfig)).unwrap_or_default();
    // Spell out the rule keys and levels, which the raw map type cannot.
    let levels = serde_json::json!({"enum": ["off", "hint", "information", "warning", "error"]});
    let mut props = serde_json::Map::new();
    for r in Rule::ALL {
        let mut level = levels.clone();
        level["description"] = format!("{}: {}", r.code(), r.info().summary).into();
        props.insert(r.code().to_string(), level.clone());
        props.insert(r.name().to_string(), level);
    }
    if let Some(rules) = schema.pointer_mut("/properties/rules") {
        *rules = serde_json::json!({
            "type": "object",
            "description": "Severity per rule code or name",
            "properties": props,
            "additionalProperties": false
        });
    }
    schema["title"] = ".deployspec.toml".into();
    schema
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rules_sections_and_prefixes() {
        let c = Config::from_toml(
            "spec_root = \"specs\"\n[rules]\nDP010 = \"off\"\nstep-without-time = \"error\"\n[sections]\nrequired = [\"rollback\"]\n[references]\nprefixes = [\"cmp\", \"ADR\"]\n",
        )
        .unwrap();
        assert_eq!(c.spec_root, "specs");
        assert_eq!(c.severity(Rule::UncheckedPrerequisite), None);
        assert_eq!(c.severity(Rule::StepWithoutTime), Some(Severity::Error));
        assert_eq!(c.severity(Rule::Placeholder), Some(Severity::Warning));
        assert_eq!(c.sections.required, vec![SectionKind::Rollback]);
        assert_eq!(c.references.prefixes, vec!["CMP", "DES", "DEPLOY", "ADR"]);
    }

    #[test]
    fn malformed_config_reports_line_and_column() {
        let e = Config::from_toml("[rules]\nDP010 = \n").unwrap_err();
        assert_eq!(e.line, 2);
        let e = Config::from_toml("[rules]\nDP999 = \"off\"\n").unwrap_err();
        assert_eq!((e.line, e.column), (2, 1));
        assert!(e.message.contains("unknown rule `DP999`"), "{e}");
        let e = Config::from_toml("[rules]\nDP010 = \"loud\"\n").unwrap_err();
        assert!(e.message.contains("unknown severity"), "{e}");
        let e = Config::from_toml("spec_rot = \"x\"\n").unwrap_err();
        assert_eq!(e.line, 1);
    }

    /// Issue 6: VS Code sends its own keys in the `deployspec` section; they rejected every
    /// setting through `deny_unknown_fields`.
    #[test]
    fn editor_settings_ignore_unknown_keys() {
        let settings = serde_json::json!({
            "server": {"path": "/usr/bin/deployspec"},
            "trace": {"server": "verbose"},
            "rules": {"DP010": "off", "DP999": "error"},
            "sections": {"required": ["rollback"], "optional": []},
            "features": {"hover": false, "colors": true},
        });
        let (c, mut ignored) = Config::default().with_settings(&settings).unwrap();
        assert_eq!(c.severity(Rule::UncheckedPrerequisite), None);
        assert_eq!(c.sections.required, vec![SectionKind::Rollback]);
        assert!(!c.features.hover);
        ignored.sort();
        assert_eq!(
            ignored,
            [
                "deployspec.features.colors",
                "deployspec.rules.DP999",
                "deployspec.sections.optional",
                "deployspec.server",
                "deployspec.trace"
            ]
        );
        // A known key with a wrong value is still an error.
        let e = Config::default()
            .with_settings(&serde_json::json!({"spec_root": 3}))
            .unwrap_err();
        assert!(e.message.contains("editor settings"), "{e}");
        // The file keeps strict checking, with a position.
        let e = Config::from_toml("[features]\nhover = false\ncolors = true\n").unwrap_err();
        assert_eq!((e.line, e.column), (3, 1));
        assert!(e.message.contains("colors"), "{e}");
    }

    #[test]
    fn section_headings_add_to_the_built_in_phrases() {
        let c = Config::from_toml(
            "[sections.headings]\nrollback = [\"Undo plan\", \"Retour arrière\"]\nsuccess-criteria = [\"確認\"]\n",
        )
        .unwrap();
        let h = &c.sections.headings;
        assert_eq!(h.classify("## Retour arrière"), Some(SectionKind::Rollback));
        assert_eq!(h.classify("Undo plan:"), Some(SectionKind::Rollback));
        assert_eq!(
            h.classify("5. 動作確認"),
            Some(SectionKind::SuccessCriteria)
        );
        // The built-in phrases stay.
        assert_eq!(h.classify("Rolling back"), Some(SectionKind::Rollback));
        assert_eq!(
            Config::default().sections.headings.classify("Undo plan"),
            None
        );
        // A kind that does not exist, or a heading with no word, is an error with its place.
        let e = Config::from_toml("[sections.headings]\nrollbacks = [\"Undo\"]\n").unwrap_err();
        assert_eq!((e.line, e.column), (2, 1));
        assert!(e.message.contains("rollbacks"), "{e}");
        let e = Config::from_toml("[sections.headings]\nrollback = [\"Undo\", \" 🚀 \"]\n")
            .unwrap_err();
        assert_eq!((e.line, e.column), (2, 21));
        assert!(e.message.contains("no letter or digit"), "{e}");
        // Editor settings replace the file's headings of the kinds they name and leave out kinds
        // they do not know.
        let (c2, ignored) = c
            .with_settings(&serde_json::json!({
                "sections": {"headings": {"rollback": ["Annulation"], "rolback": ["x"]}}
            }))
            .unwrap();
        let h = &c2.sections.headings;
        assert_eq!(h.classify("Annulation"), Some(SectionKind::Rollback));
        assert_eq!(h.classify("Undo plan"), None);
        assert_eq!(h.classify("確認"), Some(SectionKind::SuccessCriteria));
        assert_eq!(ignored, ["deployspec.sections.headings.rolback"]);
    }

    #[test]
    fn schema_lists_every_rule() {
        let s = json_schema();
        for r in Rule::ALL {
            assert!(s
                .pointer(&format!("/properties/rules/properties/{}", r.code()))
                .is_some());
        }
        // [sections.headings] names every section kind.
        let text = s.to_string();
        for k in SectionKind::ALL {
            assert!(text.contains(&format!("\"{}\"", k.key())), "{}", k.key());
        }
        assert!(text.contains("RawHeadings"), "{text}");
    }
}
