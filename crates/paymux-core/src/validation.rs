//! Validation errors that name the field path (`customer.name.full`) and the rule broken.

use std::fmt;

/// A dotted field path in the unified (PortOne V2) request, e.g. `method.card.credential.number`
/// or `products[2].name`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FieldPath(String);

impl FieldPath {
    /// A path of one segment.
    pub fn root(name: &str) -> Self {
        FieldPath(name.to_string())
    }
    /// `self.name`.
    pub fn join(&self, name: &str) -> Self {
        if self.0.is_empty() {
            FieldPath(name.to_string())
        } else {
            FieldPath(format!("{}.{}", self.0, name))
        }
    }
    /// `self[index]`.
    pub fn index(&self, index: usize) -> Self {
        FieldPath(format!("{}[{}]", self.0, index))
    }
    /// The path as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&str> for FieldPath {
    fn from(s: &str) -> Self {
        FieldPath(s.to_string())
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}`", self.0)
    }
}

/// One broken rule. The message never contains the field's value (it may be a secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    /// Where.
    pub path: FieldPath,
    /// What rule, in words ("is required", "must be at most 10 bytes in EUC-KR").
    pub rule: String,
}

impl ValidationError {
    /// New error at `path` breaking `rule`.
    pub fn new(path: impl Into<FieldPath>, rule: impl Into<String>) -> Self {
        ValidationError {
            path: path.into(),
            rule: rule.into(),
        }
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.rule)
    }
}

impl From<FieldPath> for String {
    fn from(p: FieldPath) -> String {
        p.0
    }
}

/// Every rule a request breaks, in the order found (so a caller fixes them all in one go).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValidationErrors(pub Vec<ValidationError>);

impl ValidationErrors {
    /// Record one broken rule.
    pub fn push(&mut self, e: ValidationError) {
        self.0.push(e);
    }
    /// Shorthand for `push(ValidationError::new(path, rule))`.
    pub fn add(&mut self, path: impl Into<FieldPath>, rule: impl Into<String>) {
        self.0.push(ValidationError::new(path, rule));
    }
    /// Append another set.
    pub fn extend(&mut self, other: ValidationErrors) {
        self.0.extend(other.0);
    }
    /// Merge the errors of a `Result`, returning its value if any.
    pub fn absorb<T>(&mut self, r: Result<T, ValidationErrors>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.extend(e);
                None
            }
        }
    }
    /// No error recorded.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// `Ok(())` when empty, else `Err(self)`.
    pub fn into_result(self) -> Result<(), ValidationErrors> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(self)
        }
    }
    /// The first error's path, if any.
    pub fn first_path(&self) -> Option<&FieldPath> {
        self.0.first().map(|e| &e.path)
    }
}

impl From<ValidationError> for ValidationErrors {
    fn from(e: ValidationError) -> Self {
        ValidationErrors(vec![e])
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationErrors {}

/// Make a serde error message safe to echo and log: drop the offending value that serde puts
/// in messages such as ``invalid type: string "4111…", expected u32`` (it may be card data).
pub fn sanitize_serde_message(msg: &str) -> String {
    let mut out = String::with_capacity(msg.len());
    let mut rest = msg;
    for prefix in ["invalid type: ", "invalid value: ", "invalid length "] {
        if let Some(r) = rest.strip_prefix(prefix) {
            out.push_str(prefix);
            // Keep the kind word ("string", "integer", ...), drop the value up to ", expected".
            let kind = r.split([' ', ',']).next().unwrap_or("");
            out.push_str(kind);
            if let Some(i) = r.find(", expected") {
                out.push_str(&r[i..]);
            }
            return strip_location(&out);
        }
    }
    if let Some(r) = rest.strip_prefix("unknown variant ") {
        out.push_str("unknown variant");
        if let Some(i) = r.find(", expected") {
            out.push_str(&r[i..]);
        }
        return strip_location(&out);
    }
    rest = rest.trim();
    strip_location(rest)
}

fn strip_location(s: &str) -> String {
    match s.rfind(" at line ") {
        Some(i) => s[..i].to_string(),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_join_and_index() {
        let p = FieldPath::root("customer").join("name").join("full");
        assert_eq!(p.to_string(), "customer.name.full");
        assert_eq!(
            FieldPath::root("products")
                .index(2)
                .join("name")
                .to_string(),
            "products[2].name"
        );
    }

    #[test]
    fn serde_messages_lose_the_offending_value() {
        assert_eq!(
            sanitize_serde_message(
                "invalid type: integer `4111111111111111`, expected a string at line 1 column 30"
            ),
            "invalid type: integer, expected a string"
        );
        assert_eq!(
            sanitize_serde_message("invalid value: string \"900101\", expected yyMMdd"),
            "invalid value: string, expected yyMMdd"
        );
        assert_eq!(
            sanitize_serde_message("unknown variant `XX`, expected `CUSTOMER` or `ADMIN`"),
            "unknown variant, expected `CUSTOMER` or `ADMIN`"
        );
    }

    #[test]
    fn display_lists_every_error() {
        let mut e = ValidationErrors::default();
        e.add("orderName", "is required");
        e.add("amount.total", "must not be negative");
        assert_eq!(
            e.to_string(),
            "orderName: is required; amount.total: must not be negative"
        );
    }
}
