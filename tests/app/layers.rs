//! The layers' arrows point down only: web → features → platform → domain, and a feature uses
//! only the features declared before it in `src/features/mod.rs`. This reads the sources, so a
//! wrong import fails here with its file and line.

use std::path::{Path, PathBuf};

/// Where a file sits in the layers.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Unit {
    Domain,
    Platform,
    Feature(String),
    Web,
    Components,
    App,
    Error,
    /// `lib.rs` and `main.rs`, which wire the layers together.
    Root,
}

fn unit_of(module: &[String]) -> Unit {
    match module.first().map(String::as_str) {
        Some("domain") => Unit::Domain,
        Some("platform") => Unit::Platform,
        Some("features") => module.get(1).map(|f| Unit::Feature(f.clone())).unwrap_or(Unit::Root),
        Some("web") => Unit::Web,
        Some("components") => Unit::Components,
        Some("app") => Unit::App,
        Some("error") => Unit::Error,
        _ => Unit::Root,
    }
}

/// The module path of a source file: `src/features/train/service/mod.rs` → features::train::service.
fn module_of(relative: &Path) -> Vec<String> {
    let mut parts: Vec<String> = relative.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    if let Some(last) = parts.pop() {
        let stem = last.trim_end_matches(".rs");
        if !matches!(stem, "mod" | "lib" | "main") {
            parts.push(stem.to_owned());
        }
    }
    parts
}

/// The text with comments blanked out (line numbers kept), so prose never counts as a use.
fn without_comments(text: &str) -> String {
    text.lines()
        .map(|line| match line.find("//") {
            Some(i) if !line[..i].contains('"') => &line[..i],
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every path a file names through `crate::` or `super::`, resolved to the crate root, with
/// the line it is on. Grouped `use` trees are expanded to their first two segments; `super`
/// inside an inline module (`mod tests { use super::*; }`) first leaves that module.
fn referenced_paths(module: &[String], text: &str) -> Vec<(usize, Vec<String>)> {
    let chars: Vec<char> = without_comments(text).chars().collect();
    let line_at = |at: usize| 1 + chars[..at].iter().filter(|c| **c == '\n').count();
    let mut found = Vec::new();
    let mut depth = 0usize;
    // The brace depth inside each open inline module.
    let mut inline: Vec<usize> = Vec::new();
    let mut pending_mod = false;
    let mut i = 0;
    while i < chars.len() {
        let starts_word = i == 0 || !(chars[i - 1].is_alphanumeric() || matches!(chars[i - 1], '_' | ':' | '$'));
        let ahead: String = chars[i..chars.len().min(i + 7)].iter().collect();
        match chars[i] {
            '{' => {
                depth += 1;
                if pending_mod {
                    inline.push(depth);
                    pending_mod = false;
                }
            }
            '}' => {
                if inline.last() == Some(&depth) {
                    inline.pop();
                }
                depth = depth.saturating_sub(1);
            }
            ';' => pending_mod = false,
            _ if starts_word && ahead.starts_with("mod ") => pending_mod = true,
            _ => {}
        }
        if starts_word && (ahead.starts_with("crate::") || ahead.starts_with("super::")) {
            let mut base: Vec<String> = Vec::new();
            let mut j = i;
            if ahead.starts_with("crate::") {
                j += 7;
            } else {
                base = module.to_vec();
                let mut inline_left = inline.len();
                while chars[j..].iter().take(7).collect::<String>() == "super::" {
                    if inline_left > 0 {
                        inline_left -= 1;
                    } else {
                        base.pop();
                    }
                    j += 7;
                }
            }
            let (paths, end) = use_tree(&chars, j);
            for (at, p) in paths {
                let mut full = base.clone();
                full.extend(p);
                found.push((line_at(at), full));
            }
            i = end.max(j);
            continue;
        }
        i += 1;
    }
    found
}

/// Parses a use tree at `at` (`a::b`, `{a::b, c}`, `a::{b, c}`), returning its paths cut to
/// two segments, each with where it starts, and where the tree ends.
fn use_tree(chars: &[char], mut at: usize) -> (Vec<(usize, Vec<String>)>, usize) {
    let skip_space = |at: &mut usize| {
        while *at < chars.len() && chars[*at].is_whitespace() {
            *at += 1;
        }
    };
    skip_space(&mut at);
    if at < chars.len() && chars[at] == '{' {
        at += 1;
        let mut all = Vec::new();
        loop {
            skip_space(&mut at);
            if at >= chars.len() || chars[at] == '}' {
                return (all, at + 1);
            }
            let (paths, end) = use_tree(chars, at);
            all.extend(paths);
            // A glob or anything else that is not a path: step over it.
            at = if end > at { end } else { at + 1 };
            skip_space(&mut at);
            if at < chars.len() && chars[at] == ',' {
                at += 1;
            }
        }
    }
    let start = at;
    while at < chars.len() && (chars[at].is_alphanumeric() || chars[at] == '_') {
        at += 1;
    }
    let ident: String = chars[start..at].iter().collect();
    if ident.is_empty() {
        return (vec![(start, vec![])], at);
    }
    if chars[at..].iter().take(2).collect::<String>() == "::" {
        let (rest, end) = use_tree(chars, at + 2);
        let paths = rest
            .into_iter()
            .map(|(_, mut p)| {
                p.insert(0, ident.clone());
                p.truncate(2);
                (start, p)
            })
            .collect();
        return (paths, end);
    }
    (vec![(start, vec![ident])], at)
}

/// Why `from` may not use `to`, if it may not.
fn refusal(from: &Unit, to: &Unit, order: &[String]) -> Option<&'static str> {
    let rank = |f: &str| order.iter().position(|o| o == f);
    match (from, to) {
        (Unit::Root, _) => None,
        (_, Unit::Web) if *from != Unit::Web => Some("only main.rs, lib.rs and tests may use web"),
        (Unit::Domain, to) if *to != Unit::Domain => Some("domain uses nothing above it"),
        (Unit::Error, to) if *to != Unit::Error && *to != Unit::Domain => Some("error.rs uses only domain"),
        (Unit::Platform, Unit::Feature(_) | Unit::Components | Unit::App) => Some("platform uses no feature or page"),
        (Unit::Components, Unit::Feature(_) | Unit::App) => Some("shared components use no feature"),
        (Unit::Feature(_), Unit::App) => Some("features do not use the route table"),
        (Unit::Feature(f), Unit::Feature(g)) if f != g => match (rank(f), rank(g)) {
            (Some(a), Some(b)) if b < a => None,
            (Some(_), Some(_)) => Some("a feature uses only features declared before it in features/mod.rs"),
            _ => Some("every feature is declared in features/mod.rs"),
        },
        _ => None,
    }
}

/// The features in the order `src/features/mod.rs` declares them.
fn feature_order(src: &Path) -> Vec<String> {
    std::fs::read_to_string(src.join("features/mod.rs"))
        .expect("features/mod.rs")
        .lines()
        .filter_map(|l| l.trim().strip_prefix("pub mod ")?.strip_suffix(';').map(str::to_owned))
        .collect()
}

/// Every arrow that points the wrong way, as `file:line: what`.
fn violations(files: &[(PathBuf, String)], order: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for (relative, text) in files {
        let module = module_of(relative);
        let from = unit_of(&module);
        for (line, path) in referenced_paths(&module, text) {
            let to = unit_of(&path);
            if let Some(why) = refusal(&from, &to, order) {
                out.push(format!("src/{}:{line}: uses crate::{}: {why}", relative.display(), path.join("::")));
            }
        }
    }
    out
}

fn sources(dir: &Path, root: &Path, out: &mut Vec<(PathBuf, String)>) {
    for entry in std::fs::read_dir(dir).expect("readable src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            sources(&path, root, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).expect("readable file");
            out.push((path.strip_prefix(root).expect("under src").to_owned(), text));
        }
    }
}

#[test]
fn the_layers_arrows_point_down_only() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let order = feature_order(&src);
    assert!(order.len() >= 8, "features/mod.rs declares the features: {order:?}");
    let mut files = Vec::new();
    sources(&src, &src, &mut files);
    assert!(files.len() > 50, "the sources were read: {}", files.len());
    let wrong = violations(&files, &order);
    assert!(wrong.is_empty(), "imports that point the wrong way:\n{}", wrong.join("\n"));
}

#[test]
fn the_checker_names_each_kind_of_wrong_arrow_with_its_line() {
    let order: Vec<String> = ["audit", "auth", "calendar"].map(String::from).to_vec();
    let files = vec![
        (PathBuf::from("domain/policy.rs"), "use crate::error::AppError;\n".to_owned()),
        (PathBuf::from("platform/state.rs"), "use crate::{\n    features::calendar::Catalog,\n};\n".to_owned()),
        (PathBuf::from("features/auth/service.rs"), "fn f() { crate::features::calendar::x(); }\n".to_owned()),
        (PathBuf::from("features/calendar/page/list.rs"), "use super::super::super::auth::api;\n".to_owned()),
        (PathBuf::from("features/audit/store.rs"), "// crate::web::router is named in prose only\n".to_owned()),
        (PathBuf::from("components/mod.rs"), "use crate::web::pages;\n".to_owned()),
        (
            PathBuf::from("error.rs"),
            "mod server {\n    use super::AppError;\n}\nmod tests {\n    use super::*;\n}\n".to_owned(),
        ),
    ];
    let wrong = violations(&files, &order);
    assert_eq!(
        wrong,
        [
            "src/domain/policy.rs:1: uses crate::error::AppError: domain uses nothing above it",
            "src/platform/state.rs:2: uses crate::features::calendar: platform uses no feature or page",
            "src/features/auth/service.rs:1: uses crate::features::calendar: a feature uses only features declared before it in features/mod.rs",
            "src/components/mod.rs:1: uses crate::web::pages: only main.rs, lib.rs and tests may use web",
        ]
    );
}
