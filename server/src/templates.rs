//! Built-in spec templates: `deployspec new`, and the server's "fill an empty spec" and "create
//! the missing spec" actions. Pure text.

/// The template text for a spec type, with its ID and title filled in.
pub fn render(kind: &str, id: &str, title: &str) -> String {
    let body = match kind {
        "deployment-procedure" => DEPLOYMENT,
        "design" => DESIGN,
        _ => COMPONENT,
    };
    format!(
        "---\nid: {id}\ntype: {kind}\nstatus: draft\n---\n{}",
        body.replace("{title}", title)
    )
}

/// `deploy-002-export-prod` → `Export Prod`.
pub fn title_from_slug(slug: &str) -> String {
    let words: Vec<String> = slug
        .split('-')
        .skip(2)
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                .unwrap_or_default()
        })
        .collect();
    if words.is_empty() {
        "Untitled".into()
    } else {
        words.join(" ")
    }
}

const DEPLOYMENT: &str = "# {title}

**Component**: TBD
**Target**: TBD
**Owner**: TBD

## Prerequisites

### Infrastructure

- [ ] Target environment is healthy

### Code & Build

- [ ] Release build is green in CI

### Team & Access

- [ ] Deployer has production access
- [ ] On-call engineer is informed

### Approvals

- [ ] Change request approved

## Deployment Procedure

**Step 1: Deploy the new version**

```bash
# the exact command
```

- Verify: the health check passes
- Time: ~10 minutes

**Step 2: Verify the deployment**

```bash
# the exact check
```

- Verify: dashboards show traffic on the new version
- Time: ~5 minutes

### Rollback Procedure

**Step 3: Restore the previous version**

```bash
# the exact command
```

- Verify: the previous version serves traffic
- Time: ~10 minutes

## Deployment Success Criteria

- [ ] Error rate is at or below its baseline
- [ ] Latency is at or below its baseline

## Monitoring and Alerting

- Dashboards: TBD
- Alerts: TBD

## Troubleshooting

### Issue: the health check fails

**Symptoms**: TBD

**Diagnosis**: TBD

**Fix**: roll back (Step 3).

## After Deployment

- Close the change request.
";

const COMPONENT: &str = "# {title}

**Owner**: TBD

What this component is and does, in one paragraph.

## Interfaces

TBD

## Dependencies

TBD
";

const DESIGN: &str = "# {title}

**Owner**: TBD

The problem this design solves, in one paragraph.

## Context

TBD

## Decision

TBD

## Consequences

TBD
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_from_slugs() {
        assert_eq!(title_from_slug("deploy-002-export-prod"), "Export Prod");
        assert_eq!(title_from_slug("cmp-001"), "Untitled");
    }
}
