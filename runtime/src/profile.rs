//! The environment and the shared `config` and `credentials` files that AWS tools read their
//! settings from.
//!
//! The files use the AWS shared-config dialect of INI: `[default]`, `[profile name]` and
//! `[sso-session name]` sections in the config file, `[name]` sections in the credentials file,
//! `key = value` properties, `#` and `;` comments, and indented continuation lines that append a
//! line to the previous value. Every line is checked, so a malformed line anywhere is reported
//! with its file and line number.
//!
//! [`load`] reads the selected profile; [`load_all`] reads every profile and SSO session, for
//! settings that refer to other sections (`source_profile`, `sso_session`). Both read the files
//! with blocking I/O: async callers run them on a blocking thread.

use std::collections::HashMap;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Environment variables, from the process or from a fixed map.
///
/// Configuration is read through an `Env` so that tests and embedding programs can supply
/// variables without changing the process environment. A variable set to the empty string counts
/// as unset, as in the AWS SDKs. `Debug` shows variable names only, since values may be secrets.
#[derive(Clone, Default)]
pub struct Env {
    /// `None` reads the process environment.
    vars: Option<Arc<HashMap<String, String>>>,
}

impl Env {
    /// The process environment.
    pub fn process() -> Self {
        Self::default()
    }

    /// Exactly these variables, and no others.
    pub fn from_vars<K: Into<String>, V: Into<String>>(
        vars: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        let vars = vars.into_iter().map(|(k, v)| (k.into(), v.into()));
        Self {
            vars: Some(Arc::new(vars.collect())),
        }
    }

    /// The value of the variable `name`, unless it is unset, empty or not Unicode.
    pub fn get(&self, name: &str) -> Option<String> {
        let value = match &self.vars {
            None => std::env::var(name).ok(),
            Some(vars) => vars.get(name).cloned(),
        };
        value.filter(|v| !v.is_empty())
    }

    /// The home directory: `HOME`, else `USERPROFILE`.
    pub(crate) fn home(&self) -> Option<PathBuf> {
        self.get("HOME")
            .or_else(|| self.get("USERPROFILE"))
            .map(PathBuf::from)
    }
}

impl fmt::Debug for Env {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.vars {
            None => f.write_str("Env(process)"),
            Some(vars) => {
                let mut names: Vec<&str> = vars.keys().map(String::as_str).collect();
                names.sort_unstable();
                f.debug_tuple("Env").field(&names).finish()
            }
        }
    }
}

/// The settings of one profile, merged from the config and credentials files, or of one
/// `[sso-session]` section.
///
/// `Debug` shows property names only, since values may be secrets.
#[derive(Clone)]
pub struct Profile {
    name: String,
    properties: HashMap<String, String>,
    files: Vec<PathBuf>,
}

impl Profile {
    /// The profile's (or SSO session's) name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The value of property `key`; continuation lines are joined with `\n`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.properties.get(key).map(String::as_str)
    }

    /// The files the profile was looked up in, whether they exist or not, for messages.
    pub fn files(&self) -> &[PathBuf] {
        &self.files
    }
}

impl fmt::Debug for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut keys: Vec<&str> = self.properties.keys().map(String::as_str).collect();
        keys.sort_unstable();
        f.debug_struct("Profile")
            .field("name", &self.name)
            .field("properties", &keys)
            .field("files", &self.files)
            .finish()
    }
}

/// Every profile and `[sso-session]` section of the shared config and credentials files, and
/// the profile selected.
///
/// `Debug` shows names and property names only.
#[derive(Debug, Clone)]
pub struct ProfileSet {
    selected: Profile,
    profiles: HashMap<String, Profile>,
    sso_sessions: HashMap<String, Profile>,
}

impl ProfileSet {
    /// The selected profile; without properties if it is `default` and neither file defines it.
    pub fn selected(&self) -> &Profile {
        &self.selected
    }

    /// Profile `name`, if either file defines it.
    pub fn profile(&self, name: &str) -> Option<&Profile> {
        self.profiles.get(name)
    }

    /// The `[sso-session name]` section of the config file.
    pub fn sso_session(&self, name: &str) -> Option<&Profile> {
        self.sso_sessions.get(name)
    }
}

/// A shared config or credentials file could not be read or understood, or the profile asked
/// for is in neither. The message never quotes file contents, which may hold secrets.
#[derive(Debug)]
pub struct ProfileError {
    kind: ProfileErrorKind,
}

#[derive(Debug)]
enum ProfileErrorKind {
    Read {
        path: PathBuf,
        source: io::Error,
    },
    Parse {
        path: PathBuf,
        line: usize,
        reason: &'static str,
    },
    MissingProfile {
        name: String,
        files: Vec<PathBuf>,
    },
}

impl fmt::Display for ProfileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ProfileErrorKind::Read { path, source } => {
                write!(f, "cannot read {}: {source}", path.display())
            }
            ProfileErrorKind::Parse { path, line, reason } => {
                write!(f, "{} line {line}: {reason}", path.display())
            }
            ProfileErrorKind::MissingProfile { name, files } => {
                write!(f, "profile `{name}` is not defined in {}", list(files))
            }
        }
    }
}

impl std::error::Error for ProfileError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            ProfileErrorKind::Read { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// Lists the files looked in, for messages.
pub(crate) fn list(files: &[PathBuf]) -> String {
    if files.is_empty() {
        return "no file (neither HOME nor AWS_CONFIG_FILE nor AWS_SHARED_CREDENTIALS_FILE is set)"
            .to_owned();
    }
    let names: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
    names.join(" or ")
}

const DEFAULT: &str = "default";

#[derive(Clone, Copy, PartialEq, Eq)]
enum FileKind {
    Config,
    Credentials,
}

/// Loads profile `name`, else the one `AWS_PROFILE` names, else `default`, from the config file
/// (`AWS_CONFIG_FILE`, by default `~/.aws/config`) and the credentials file
/// (`AWS_SHARED_CREDENTIALS_FILE`, by default `~/.aws/credentials`). Where both files set a
/// property, the credentials file wins.
///
/// A missing file is not an error, and neither is a missing `default` profile: the profile then
/// has no properties. A profile asked for by name that neither file defines is an error, since
/// silently using other settings would surprise.
pub fn load(env: &Env, name: Option<&str>) -> Result<Profile, ProfileError> {
    Ok(load_all(env, name)?.selected)
}

/// Loads every profile and SSO session of the files [`load`] reads, selecting the profile it
/// would return.
pub fn load_all(env: &Env, name: Option<&str>) -> Result<ProfileSet, ProfileError> {
    let explicit = name.map(str::to_owned).or_else(|| env.get("AWS_PROFILE"));
    let name = explicit.as_deref().unwrap_or(DEFAULT);
    let home = env.home();
    let mut all = Sections::default();
    let mut files = Vec::new();
    for (kind, var, file_name) in [
        (FileKind::Config, "AWS_CONFIG_FILE", "config"),
        (
            FileKind::Credentials,
            "AWS_SHARED_CREDENTIALS_FILE",
            "credentials",
        ),
    ] {
        let path = match env.get(var) {
            Some(path) => expand_home(path, home.as_deref()),
            None => match &home {
                Some(home) => home.join(".aws").join(file_name),
                None => continue,
            },
        };
        if let Some(sections) = read(&path, kind)? {
            // Property by property, so that the credentials file, read second, wins.
            for (name, properties) in sections.profiles {
                all.profiles.entry(name).or_default().extend(properties);
            }
            all.sso_sessions.extend(sections.sso_sessions);
        }
        files.push(path);
    }
    let with_files = |sections: HashMap<String, Properties>| -> HashMap<String, Profile> {
        sections
            .into_iter()
            .map(|(name, properties)| {
                let profile = Profile {
                    name: name.clone(),
                    properties,
                    files: files.clone(),
                };
                (name, profile)
            })
            .collect()
    };
    let profiles = with_files(all.profiles);
    let selected = match (profiles.get(name), &explicit) {
        (Some(profile), _) => profile.clone(),
        (None, None) => Profile {
            name: name.to_owned(),
            properties: HashMap::new(),
            files: files.clone(),
        },
        (None, Some(name)) => {
            return Err(ProfileError {
                kind: ProfileErrorKind::MissingProfile {
                    name: name.clone(),
                    files,
                },
            })
        }
    };
    Ok(ProfileSet {
        selected,
        profiles,
        sso_sessions: with_files(all.sso_sessions),
    })
}

/// Expands a leading `~` to the home directory, as shells and the AWS SDKs do.
fn expand_home(path: String, home: Option<&Path>) -> PathBuf {
    if let (Some(rest), Some(home)) = (path.strip_prefix('~'), home) {
        if rest.is_empty() || rest.starts_with(std::path::is_separator) {
            return home.join(rest.trim_start_matches(std::path::is_separator));
        }
    }
    PathBuf::from(path)
}

type Properties = HashMap<String, String>;

/// The sections of one file that are kept: profiles and SSO sessions, by name.
#[derive(Default)]
struct Sections {
    profiles: HashMap<String, Properties>,
    sso_sessions: HashMap<String, Properties>,
    /// A config file's `[default]`, which a `[profile default]` in the same file replaces.
    plain_default: Option<Properties>,
}

impl Sections {
    fn section(&mut self, kind: SectionKind, name: &str) -> &mut Properties {
        match kind {
            SectionKind::Profile => self.profiles.entry(name.to_owned()).or_default(),
            SectionKind::PlainDefault => self.plain_default.get_or_insert_with(HashMap::new),
            SectionKind::SsoSession => self.sso_sessions.entry(name.to_owned()).or_default(),
        }
    }
}

/// The sections of the file at `path`; `None` if it is absent.
fn read(path: &Path, kind: FileKind) -> Result<Option<Sections>, ProfileError> {
    // The files are a few lines: callers on an async runtime read them on a blocking thread.
    match std::fs::read_to_string(path) {
        Ok(text) => parse(&text, kind)
            .map(Some)
            .map_err(|(line, reason)| ProfileError {
                kind: ProfileErrorKind::Parse {
                    path: path.to_owned(),
                    line,
                    reason,
                },
            }),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(ProfileError {
            kind: ProfileErrorKind::Read {
                path: path.to_owned(),
                source,
            },
        }),
    }
}

const WHITESPACE: [char; 2] = [' ', '\t'];
const COMMENT: [char; 2] = ['#', ';'];

/// What a section header opens.
#[derive(Clone, Copy, PartialEq, Eq)]
enum SectionKind {
    Profile,
    PlainDefault,
    SsoSession,
}

/// Where the parser is: which section, and which property a continuation line would extend.
enum Section {
    BeforeFirst,
    /// A section that is not kept (`[services x]`, a misnamed profile).
    Ignored {
        property: bool,
    },
    Kept {
        kind: SectionKind,
        name: String,
        property: Option<String>,
    },
}

/// Parses a whole file into the sections it keeps. An error is the 1-based line number and what
/// is wrong with it.
fn parse(text: &str, kind: FileKind) -> Result<Sections, (usize, &'static str)> {
    let mut sections = Sections::default();
    let mut section = Section::BeforeFirst;
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        if line.trim_matches(WHITESPACE).is_empty() || line.starts_with(COMMENT) {
            continue;
        }
        if line.starts_with('[') {
            let header = strip_comment(line, false);
            let inner = header
                .strip_prefix('[')
                .and_then(|h| h.strip_suffix(']'))
                .ok_or((number, "a section header must end with `]`"))?;
            section = match section_of(inner, kind) {
                Some((kind, name)) => {
                    sections.section(kind, name);
                    Section::Kept {
                        kind,
                        name: name.to_owned(),
                        property: None,
                    }
                }
                None => Section::Ignored { property: false },
            };
        } else if line.starts_with(WHITESPACE) {
            match &section {
                Section::BeforeFirst => {
                    return Err((number, "an indented line comes before any section header"))
                }
                Section::Ignored { property: false } | Section::Kept { property: None, .. } => {
                    return Err((
                        number,
                        "an indented line continues a property, but none comes before it",
                    ))
                }
                Section::Ignored { property: true } => {}
                Section::Kept {
                    kind,
                    name,
                    property: Some(key),
                } => {
                    let value = sections
                        .section(*kind, name)
                        .entry(key.clone())
                        .or_default();
                    value.push('\n');
                    value.push_str(line.trim_matches(WHITESPACE));
                }
            }
        } else {
            let (key, value) = strip_comment(line, true).split_once('=').ok_or((
                number,
                "a property needs `=` between its name and its value",
            ))?;
            let key = key.trim_matches(WHITESPACE);
            if key.is_empty() {
                return Err((number, "a property needs a name before `=`"));
            }
            match &mut section {
                Section::BeforeFirst => {
                    return Err((number, "a property comes before any section header"))
                }
                Section::Ignored { property } => *property = true,
                Section::Kept {
                    kind,
                    name,
                    property,
                } => {
                    sections
                        .section(*kind, name)
                        .insert(key.to_owned(), value.trim_matches(WHITESPACE).to_owned());
                    *property = Some(key.to_owned());
                }
            }
        }
    }
    if let Some(plain) = sections.plain_default.take() {
        sections.profiles.entry(DEFAULT.to_owned()).or_insert(plain);
    }
    Ok(sections)
}

/// What the section header `inner` (between the brackets) opens, and its name; `None` for a
/// section that is not kept.
fn section_of(inner: &str, kind: FileKind) -> Option<(SectionKind, &str)> {
    let inner = inner.trim_matches(WHITESPACE);
    let (prefix, name) = match inner.split_once(WHITESPACE) {
        Some((prefix, rest)) => (Some(prefix), rest.trim_matches(WHITESPACE)),
        None => (None, inner),
    };
    match (kind, prefix) {
        (FileKind::Config, Some("profile")) | (FileKind::Credentials, None) => {
            Some((SectionKind::Profile, name))
        }
        (FileKind::Config, None) if name == DEFAULT => Some((SectionKind::PlainDefault, name)),
        (FileKind::Config, Some("sso-session")) => Some((SectionKind::SsoSession, name)),
        (FileKind::Config, None) => {
            tracing::warn!("section [{name}] of the config file ignored: write [profile {name}]");
            None
        }
        (FileKind::Credentials, Some("profile")) => {
            tracing::warn!(
                "section [profile {name}] of the credentials file ignored: write [{name}]"
            );
            None
        }
        // `[services x]` and the like hold no profile.
        (_, Some(_)) => None,
    }
}

/// Trims `line` and cuts a trailing `#` or `;` comment. In property lines a comment must follow
/// whitespace, so values such as `a;b` survive.
fn strip_comment(line: &str, needs_whitespace: bool) -> &str {
    let mut after_whitespace = false;
    let end = line
        .char_indices()
        .find(|&(_, c)| {
            let starts = COMMENT.contains(&c) && (after_whitespace || !needs_whitespace);
            after_whitespace = WHITESPACE.contains(&c);
            starts
        })
        .map_or(line.len(), |(i, _)| i);
    line[..end].trim_matches(WHITESPACE)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(pairs: &[(&str, &str)]) -> Option<Properties> {
        Some(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    /// The properties of profile `name` in a file of `kind`.
    fn profile(
        text: &str,
        kind: FileKind,
        name: &str,
    ) -> Result<Option<Properties>, (usize, &'static str)> {
        parse(text, kind).map(|mut sections| sections.profiles.remove(name))
    }

    #[test]
    fn parses_comments_whitespace_and_continuations() {
        let text = "\
# leading comment
; another
[profile dev] # trailing comment
region = us-west-2 ; comment after whitespace
\tkey=a;b#c
s3 =
  addressing_style = path
  use_accelerate_endpoint = true

[profile other]
region = eu-west-1
";
        assert_eq!(
            profile(text, FileKind::Config, "dev"),
            Ok(props(&[
                ("region", "us-west-2\nkey=a;b#c"),
                (
                    "s3",
                    "\naddressing_style = path\nuse_accelerate_endpoint = true"
                ),
            ]))
        );
        assert_eq!(
            profile(text, FileKind::Config, "other"),
            Ok(props(&[("region", "eu-west-1")]))
        );
        assert_eq!(profile(text, FileKind::Config, "absent"), Ok(None));
    }

    #[test]
    fn section_names_follow_the_file_kind() {
        let config = "[default]\na = plain\n[ profile   default ]\nb = prefixed\n[dev]\nc = 1";
        assert_eq!(
            profile(config, FileKind::Config, "default"),
            Ok(props(&[("b", "prefixed")]))
        );
        assert_eq!(profile(config, FileKind::Config, "dev"), Ok(None));
        let credentials = "[profile dev]\na = 1\n[dev]\nb = 2\n[dev]\nb = 3\n";
        assert_eq!(
            profile(credentials, FileKind::Credentials, "dev"),
            Ok(props(&[("b", "3")]))
        );
    }

    #[test]
    fn keeps_sso_sessions_and_skips_other_sections() {
        let config = "\
[services local]
s3 =
  endpoint_url = http://127.0.0.1
[sso-session corp]
sso_region = eu-west-1
[profile dev]
sso_session = corp
";
        let sections = parse(config, FileKind::Config).unwrap();
        assert_eq!(
            sections.sso_sessions.get("corp").cloned(),
            props(&[("sso_region", "eu-west-1")])
        );
        assert_eq!(
            sections.profiles.get("dev").cloned(),
            props(&[("sso_session", "corp")])
        );
        assert_eq!(sections.profiles.len(), 1);
        // The credentials file has no SSO sessions.
        let credentials = parse("[sso-session corp]\na = 1\n", FileKind::Credentials).unwrap();
        assert!(credentials.sso_sessions.is_empty() && credentials.profiles.is_empty());
    }

    #[test]
    fn reports_the_line_of_malformed_input() {
        for (text, line, reason) in [
            ("[default\n", 1, "a section header must end with `]`"),
            ("a = b\n", 1, "a property comes before any section header"),
            (
                "  a = b\n",
                1,
                "an indented line comes before any section header",
            ),
            (
                "[default]\n  more\n",
                2,
                "an indented line continues a property, but none comes before it",
            ),
            (
                "[x]\n\n# c\nsecret\n",
                4,
                "a property needs `=` between its name and its value",
            ),
            ("[x]\n= v\n", 2, "a property needs a name before `=`"),
        ] {
            assert_eq!(
                profile(text, FileKind::Credentials, "default"),
                Err((line, reason)),
                "{text:?}"
            );
        }
    }

    #[test]
    fn expands_the_home_directory() {
        let home = Path::new("/home/me");
        assert_eq!(
            expand_home("~/aws/config".into(), Some(home)),
            home.join("aws/config")
        );
        assert_eq!(
            expand_home("~other/x".into(), Some(home)),
            PathBuf::from("~other/x")
        );
        assert_eq!(expand_home("~/x".into(), None), PathBuf::from("~/x"));
    }
}
