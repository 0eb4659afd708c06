//! The person who makes a change, as git names them.
//!
//! The store does not look for the person itself (that would mean reading the
//! environment and git's configuration files): the command layer asks git
//! (`git var GIT_AUTHOR_IDENT` in the workspace), so that strategi's commits, trailers
//! and tags carry exactly the identity a plain `git commit` would, and hands the answer
//! to [`Identity::from_git_ident`].

use super::StoreError;
use crate::model::PartyCode;

use super::Actor;

/// A person as git names them: a name and an e-mail address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The person's name.
    pub name: String,
    /// The person's e-mail address.
    pub email: String,
}

impl Identity {
    /// Reads git's ident line, `Name <e-mail> 1764590400 +0100` (what
    /// `git var GIT_AUTHOR_IDENT` prints); the date after the address, if any, is not
    /// part of the identity and is ignored. An empty name or address is
    /// [`StoreError::NoIdentity`]; a line that is not of that shape is
    /// [`StoreError::BadIdentity`].
    pub fn from_git_ident(line: &str) -> Result<Identity, StoreError> {
        let line = line.trim();
        if line.is_empty() {
            return Err(StoreError::NoIdentity);
        }
        let bad = || StoreError::BadIdentity {
            ident: line.to_string(),
        };
        let close = line.rfind('>').ok_or_else(bad)?;
        let open = line[..close].rfind('<').ok_or_else(bad)?;
        let name = line[..open].trim();
        let email = line[open + 1..close].trim();
        if line[..open].contains(['<', '>']) || email.contains(['<', '>']) {
            return Err(bad());
        }
        if name.is_empty() || email.is_empty() {
            return Err(StoreError::NoIdentity);
        }
        Ok(Identity {
            name: name.to_string(),
            email: email.to_string(),
        })
    }
}

impl std::fmt::Display for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} <{}>", self.name, self.email)
    }
}

impl Actor {
    /// The actor for a person acting as a party.
    pub fn new(party: PartyCode, person: Identity) -> Actor {
        Actor {
            party,
            name: person.name,
            email: person.email,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_ident_line_of_git_var() {
        let who = Identity::from_git_ident("Kari Nordmann <kari@dio.example> 1764590400 +0100\n")
            .expect("ident");
        assert_eq!(who.name, "Kari Nordmann");
        assert_eq!(who.email, "kari@dio.example");
        assert_eq!(who.to_string(), "Kari Nordmann <kari@dio.example>");
    }

    #[test]
    fn the_date_is_optional() {
        let who = Identity::from_git_ident("Ola <ola@x.example>").expect("ident");
        assert_eq!(who.email, "ola@x.example");
    }

    #[test]
    fn empty_parts_are_no_identity() {
        for line in ["", "   \n", "<kari@x.example> 1 +0000", "Kari <> 1 +0000"] {
            assert!(
                matches!(Identity::from_git_ident(line), Err(StoreError::NoIdentity)),
                "{line:?}"
            );
        }
    }

    #[test]
    fn other_shapes_are_refused() {
        for line in [
            "Kari Nordmann",
            "Kari kari@x.example>",
            "Ka<ri <k@x> 1 +0000",
        ] {
            assert!(
                matches!(
                    Identity::from_git_ident(line),
                    Err(StoreError::BadIdentity { .. })
                ),
                "{line:?}"
            );
        }
    }
}
