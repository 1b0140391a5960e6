//! Passes over the built IR that need all of it: which structures travel as XML in requests
//! or responses, and which members must be boxed because their type contains itself.

use std::collections::{BTreeMap, BTreeSet};

use super::{Binding, Ir, MemberIr, NamedKind, PayloadKind, Role, RustType, StructureIr, TypeDef};

impl Ir<'_> {
    /// Marks the structures and unions that travel as XML in requests or in responses.
    pub(super) fn mark_xml_usage(&mut self) {
        let mut write = Vec::new();
        let mut read = Vec::new();
        let in_xml = |m: &&MemberIr<'_>| {
            matches!(
                m.binding,
                Binding::Body | Binding::Payload(PayloadKind::Xml)
            )
        };
        for op in &self.operations {
            write.extend(op.input.members.iter().filter(in_xml).map(|m| &m.ty));
            read.extend(op.output.members.iter().filter(in_xml).map(|m| &m.ty));
        }
        for def in &self.types {
            if let TypeDef::Structure(s) = def {
                if matches!(s.role, Role::Error { .. }) {
                    read.extend(s.members.iter().filter(in_xml).map(|m| &m.ty));
                }
            }
        }
        let write = self.reachable(write);
        let read = self.reachable(read);
        for def in &mut self.types {
            if let TypeDef::Structure(s) | TypeDef::Union(s) = def {
                s.xml_write = write.contains(&s.name);
                s.xml_read = read.contains(&s.name);
            }
        }
    }

    /// Boxes each member whose structure or union contains, without a list or map in between,
    /// the type the member is in: such a type would otherwise have infinite size.
    pub(super) fn box_recursive_members(&mut self) {
        let direct: BTreeMap<String, Vec<String>> = self
            .types
            .iter()
            .filter_map(|def| match def {
                TypeDef::Structure(s) | TypeDef::Union(s) => {
                    let targets = s
                        .members
                        .iter()
                        .filter_map(|m| direct_target(&m.ty))
                        .collect();
                    Some((s.name.clone(), targets))
                }
                TypeDef::Enum(_) => None,
            })
            .collect();
        let reaches = |from: &str, to: &str| {
            let mut seen = BTreeSet::new();
            let mut pending = vec![from.to_owned()];
            while let Some(name) = pending.pop() {
                if name == to {
                    return true;
                }
                if seen.insert(name.clone()) {
                    pending.extend(direct.get(&name).into_iter().flatten().cloned());
                }
            }
            false
        };
        for def in &mut self.types {
            if let TypeDef::Structure(s) = def {
                for m in &mut s.members {
                    m.boxed = direct_target(&m.ty).is_some_and(|target| reaches(&target, &s.name));
                }
            }
        }
    }

    /// The names of the structures and unions reachable from `roots`.
    fn reachable(&self, roots: Vec<&RustType>) -> BTreeSet<String> {
        let by_name: BTreeMap<&str, &StructureIr<'_>> = self
            .types
            .iter()
            .filter_map(|def| match def {
                TypeDef::Structure(s) | TypeDef::Union(s) => Some((s.name.as_str(), s)),
                TypeDef::Enum(_) => None,
            })
            .collect();
        let mut seen = BTreeSet::new();
        let mut pending: Vec<RustType> = roots.into_iter().cloned().collect();
        while let Some(ty) = pending.pop() {
            match ty {
                RustType::Named { name, .. } => {
                    if let Some(s) = by_name.get(name.as_str()) {
                        if seen.insert(name) {
                            pending.extend(s.members.iter().map(|m| m.ty.clone()));
                        }
                    }
                }
                RustType::List(list) => pending.push(list.item),
                RustType::Map(map) => pending.extend([map.key, map.value]),
                _ => {}
            }
        }
        seen
    }
}

/// The structure a member holds directly (not through a list or map), if any.
fn direct_target(ty: &RustType) -> Option<String> {
    match ty {
        RustType::Named {
            name,
            kind: NamedKind::Structure,
        } => Some(name.clone()),
        _ => None,
    }
}
