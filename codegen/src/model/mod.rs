//! A typed mirror of the Smithy 2.0 JSON AST.
//!
//! [`Model::from_json`] reads any Smithy 2.0 JSON AST into typed shapes. It rejects what the
//! generator cannot serve (mixins, `apply`, Smithy 1.0 `set`, unknown shape types) with an error
//! naming the shape, so nothing is silently dropped. Traits keep their JSON; [`Traits`] has typed
//! accessors for the ones the generator uses.

mod traits;

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use serde_json::{Map, Value};

pub use traits::*;

/// An absolute shape id, `namespace#Name`, or a member id `namespace#Name$member`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(transparent)]
pub struct ShapeId(String);

impl ShapeId {
    /// A shape id from its text; the caller vouches for the `namespace#Name` form.
    pub fn new(id: impl Into<String>) -> Self {
        Self(id.into())
    }

    /// The whole id.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part before `#`.
    pub fn namespace(&self) -> &str {
        self.0.split_once('#').map_or("", |(ns, _)| ns)
    }

    /// The shape's name, after `#` and before any `$member`.
    pub fn name(&self) -> &str {
        let name = self.0.split_once('#').map_or(self.0.as_str(), |(_, n)| n);
        name.split_once('$').map_or(name, |(n, _)| n)
    }
}

impl fmt::Display for ShapeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A model the generator cannot read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelError(pub String);

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ModelError {}

/// A Smithy model: its shapes by id, in id order.
#[derive(Debug, Clone)]
pub struct Model {
    shapes: BTreeMap<ShapeId, Shape>,
}

/// The kinds of simple shape, which carry no members.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Simple {
    Blob,
    Boolean,
    String,
    Byte,
    Short,
    Integer,
    Long,
    Float,
    Double,
    BigInteger,
    BigDecimal,
    Timestamp,
    Document,
}

/// A member of an aggregate shape: a name, a target shape and the member's own traits.
#[derive(Debug, Clone)]
pub struct Member {
    pub name: String,
    pub target: ShapeId,
    pub traits: Traits,
}

/// One shape of the model.
#[derive(Debug, Clone)]
pub struct Shape {
    pub id: ShapeId,
    pub kind: ShapeKind,
    pub traits: Traits,
}

/// What a shape is, with the parts that kind has.
#[derive(Debug, Clone)]
pub enum ShapeKind {
    Simple(Simple),
    /// A string enum; members target `smithy.api#Unit` and carry `enumValue`.
    Enum(Vec<Member>),
    /// An integer enum; members carry an integer `enumValue`.
    IntEnum(Vec<Member>),
    List(Member),
    Map {
        key: Member,
        value: Member,
    },
    Structure(Vec<Member>),
    Union(Vec<Member>),
    Operation(Operation),
    Resource(Resource),
    Service(Service),
}

/// The parts of an operation shape.
#[derive(Debug, Clone)]
pub struct Operation {
    pub input: Option<ShapeId>,
    pub output: Option<ShapeId>,
    pub errors: Vec<ShapeId>,
}

/// The parts of a resource shape that bind operations.
#[derive(Debug, Clone, Default)]
pub struct Resource {
    pub operations: Vec<ShapeId>,
    pub resources: Vec<ShapeId>,
}

/// The parts of a service shape.
#[derive(Debug, Clone)]
pub struct Service {
    pub version: Option<String>,
    pub operations: Vec<ShapeId>,
    pub resources: Vec<ShapeId>,
    pub errors: Vec<ShapeId>,
}

/// The JSON form of a shape, before validation.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawShape {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    traits: Map<String, Value>,
    #[serde(default)]
    members: Option<RawMembers>,
    member: Option<RawMember>,
    key: Option<RawMember>,
    value: Option<RawMember>,
    input: Option<RawTarget>,
    output: Option<RawTarget>,
    #[serde(default)]
    errors: Vec<RawTarget>,
    #[serde(default)]
    operations: Vec<RawTarget>,
    #[serde(default)]
    resources: Vec<RawTarget>,
    #[serde(default)]
    collection_operations: Vec<RawTarget>,
    create: Option<RawTarget>,
    put: Option<RawTarget>,
    read: Option<RawTarget>,
    update: Option<RawTarget>,
    delete: Option<RawTarget>,
    list: Option<RawTarget>,
    version: Option<String>,
    #[serde(default)]
    mixins: Vec<RawTarget>,
}

#[derive(Deserialize)]
struct RawTarget {
    target: ShapeId,
}

#[derive(Deserialize)]
struct RawMember {
    target: ShapeId,
    #[serde(default)]
    traits: Map<String, Value>,
}

/// Members in the order the model lists them (`serde_json` keeps it with `preserve_order`).
#[derive(Deserialize)]
#[serde(transparent)]
struct RawMembers(Map<String, Value>);

#[derive(Deserialize)]
struct RawModel {
    smithy: String,
    #[serde(default)]
    shapes: Map<String, Value>,
}

impl Model {
    /// Reads a Smithy 2.0 JSON AST.
    pub fn from_json(json: &str) -> Result<Self, ModelError> {
        let raw: RawModel = serde_json::from_str(json)
            .map_err(|e| ModelError(format!("the model is not a Smithy JSON AST: {e}")))?;
        if !raw.smithy.starts_with("2.") {
            return Err(ModelError(format!(
                "Smithy IDL version {} is not supported: convert the model to Smithy 2.0",
                raw.smithy
            )));
        }
        let mut shapes: BTreeMap<ShapeId, Shape> =
            prelude().map(|shape| (shape.id.clone(), shape)).collect();
        for (id, value) in raw.shapes {
            let id = ShapeId::new(id);
            let raw: RawShape = serde_json::from_value(value)
                .map_err(|e| ModelError(format!("shape {id}: {e}")))?;
            let shape = Shape::from_raw(id.clone(), raw)?;
            shapes.insert(id, shape);
        }
        Ok(Self { shapes })
    }

    /// The shape with this id, from the model or Smithy's prelude.
    pub fn shape(&self, id: &ShapeId) -> Option<&Shape> {
        self.shapes.get(id)
    }

    /// Every shape of the model, in id order.
    pub fn shapes(&self) -> impl Iterator<Item = &Shape> {
        self.shapes.values()
    }
}

impl Shape {
    fn from_raw(id: ShapeId, raw: RawShape) -> Result<Self, ModelError> {
        let fail = |why: &str| ModelError(format!("shape {id}: {why}"));
        if !raw.mixins.is_empty() {
            return Err(fail(
                "mixins are not supported: flatten the model (e.g. with Smithy's `flattenAndRemoveMixins` transform)",
            ));
        }
        let member = |raw: Option<RawMember>, name: &str| {
            raw.map(|m| Member {
                name: name.to_owned(),
                target: m.target,
                traits: Traits::new(m.traits),
            })
            .ok_or_else(|| fail(&format!("missing `{name}`")))
        };
        let members = |raw: Option<RawMembers>| -> Result<Vec<Member>, ModelError> {
            raw.map(|m| m.0)
                .unwrap_or_default()
                .into_iter()
                .map(|(name, value)| {
                    let m: RawMember = serde_json::from_value(value)
                        .map_err(|e| fail(&format!("member {name}: {e}")))?;
                    Ok(Member {
                        name,
                        target: m.target,
                        traits: Traits::new(m.traits),
                    })
                })
                .collect()
        };
        let targets = |raw: Vec<RawTarget>| raw.into_iter().map(|t| t.target).collect::<Vec<_>>();
        let simple = |s| Ok(ShapeKind::Simple(s));
        let kind = match raw.kind.as_str() {
            "blob" => simple(Simple::Blob),
            "boolean" => simple(Simple::Boolean),
            "string" => simple(Simple::String),
            "byte" => simple(Simple::Byte),
            "short" => simple(Simple::Short),
            "integer" => simple(Simple::Integer),
            "long" => simple(Simple::Long),
            "float" => simple(Simple::Float),
            "double" => simple(Simple::Double),
            "bigInteger" => simple(Simple::BigInteger),
            "bigDecimal" => simple(Simple::BigDecimal),
            "timestamp" => simple(Simple::Timestamp),
            "document" => simple(Simple::Document),
            "enum" => members(raw.members).map(ShapeKind::Enum),
            "intEnum" => members(raw.members).map(ShapeKind::IntEnum),
            "list" => member(raw.member, "member").map(ShapeKind::List),
            "map" => Ok(ShapeKind::Map {
                key: member(raw.key, "key")?,
                value: member(raw.value, "value")?,
            }),
            "structure" => members(raw.members).map(ShapeKind::Structure),
            "union" => members(raw.members).map(ShapeKind::Union),
            "operation" => Ok(ShapeKind::Operation(Operation {
                input: raw.input.map(|t| t.target),
                output: raw.output.map(|t| t.target),
                errors: targets(raw.errors),
            })),
            "resource" => {
                let lifecycle = [
                    raw.create, raw.put, raw.read, raw.update, raw.delete, raw.list,
                ];
                let mut operations: Vec<ShapeId> =
                    lifecycle.into_iter().flatten().map(|t| t.target).collect();
                operations.extend(targets(raw.operations));
                operations.extend(targets(raw.collection_operations));
                Ok(ShapeKind::Resource(Resource {
                    operations,
                    resources: targets(raw.resources),
                }))
            }
            "service" => Ok(ShapeKind::Service(Service {
                version: raw.version,
                operations: targets(raw.operations),
                resources: targets(raw.resources),
                errors: targets(raw.errors),
            })),
            "set" => Err(fail("`set` is Smithy 1.0: use a list with @uniqueItems")),
            "apply" => Err(fail(
                "`apply` statements are not supported: apply the traits to the model first",
            )),
            other => Err(fail(&format!("unknown shape type `{other}`"))),
        }?;
        Ok(Shape {
            id,
            kind,
            traits: Traits::new(raw.traits),
        })
    }

    /// The members of an aggregate shape, in model order (none for other kinds).
    pub fn members(&self) -> &[Member] {
        match &self.kind {
            ShapeKind::Enum(m)
            | ShapeKind::IntEnum(m)
            | ShapeKind::Structure(m)
            | ShapeKind::Union(m) => m,
            ShapeKind::List(m) => std::slice::from_ref(m),
            _ => &[],
        }
    }
}

/// Smithy's prelude shapes that models target without defining them.
fn prelude() -> impl Iterator<Item = Shape> {
    let simple = [
        ("Blob", Simple::Blob),
        ("Boolean", Simple::Boolean),
        ("PrimitiveBoolean", Simple::Boolean),
        ("String", Simple::String),
        ("Byte", Simple::Byte),
        ("PrimitiveByte", Simple::Byte),
        ("Short", Simple::Short),
        ("PrimitiveShort", Simple::Short),
        ("Integer", Simple::Integer),
        ("PrimitiveInteger", Simple::Integer),
        ("Long", Simple::Long),
        ("PrimitiveLong", Simple::Long),
        ("Float", Simple::Float),
        ("PrimitiveFloat", Simple::Float),
        ("Double", Simple::Double),
        ("PrimitiveDouble", Simple::Double),
        ("BigInteger", Simple::BigInteger),
        ("BigDecimal", Simple::BigDecimal),
        ("Timestamp", Simple::Timestamp),
        ("Document", Simple::Document),
    ];
    let simple = simple.into_iter().map(|(name, kind)| Shape {
        id: ShapeId::new(format!("smithy.api#{name}")),
        kind: ShapeKind::Simple(kind),
        traits: Traits::default(),
    });
    // `Unit` is the empty structure that stands for "no value".
    let unit = Shape {
        id: ShapeId::new(UNIT),
        kind: ShapeKind::Structure(Vec::new()),
        traits: Traits::default(),
    };
    simple.chain(std::iter::once(unit))
}

/// The id of Smithy's unit shape.
pub const UNIT: &str = "smithy.api#Unit";
