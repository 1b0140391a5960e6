//! The endpoint resolver, compiled from the service's `smithy.rules#endpointBdd` trait.
//!
//! Why the BDD and not the `endpointRuleSet` tree: the BDD is the same logic with every
//! condition and every result written once (S3: 75 conditions, 114 results, 553 nodes, against
//! 389 rules with 742 condition instances and 257 leaves), and walking it evaluates each condition at most once.
//! So the generated code is a node table, one `match` arm per condition and one per result;
//! the tree would be nested `if`s that re-test shared conditions on every branch.
//!
//! The module is a `Params` struct, a private `Vars` struct for values that conditions assign,
//! the node table and `resolve`. The runtime walks the table (`rt::evaluate_bdd`) and provides
//! the rules functions; see `s3_runtime::endpoint`.
//!
//! Here: the module as a whole and its conditions. The rules' parameters are in `params`, their
//! results in `results`, the trait's members and node table in `bdd`, the expression language
//! in `expr` (with `typed`, `attr` and `template`), the `endpointTests` cases in `cases`, and
//! the module for a service without rules in `fallback`.

mod attr;
mod bdd;
mod cases;
mod expr;
mod fallback;
mod params;
mod results;
mod template;
mod typed;

use proc_macro2::{Literal, TokenStream};
use quote::quote;
use serde_json::{Map, Value};

use super::doc_lines as doc;
use crate::Error;
use bdd::{member, nodes};
use expr::{Expr, Name, Scope};
use params::{params, params_struct};
use results::results;
use typed::Ty;

/// The generated endpoint module and its tests, as tokens for two files.
pub(crate) struct EndpointModule {
    /// `endpoint.rs`: `Params`, `resolve` and what they need; declares `mod tests`.
    pub(crate) module: TokenStream,
    /// `endpoint/tests.rs`: one `#[test]` per `endpointTests` case.
    pub(crate) tests: TokenStream,
}

/// `src/endpoint.rs` and, with rules, `src/endpoint/tests.rs`.
pub(crate) fn files(ir: &crate::ir::Ir<'_>) -> Result<Vec<crate::GeneratedFile>, Error> {
    let traits = ir.service.traits;
    let Some(bdd) = traits.get("smithy.rules#endpointBdd") else {
        if traits.has("smithy.rules#endpointRuleSet") {
            return Err(Error::new(
                "endpoint rules: the model has a rule set but no `smithy.rules#endpointBdd`; \
                 compile the rule set to a BDD first (Smithy's `compileBdd` transform)",
            ));
        }
        return Ok(vec![super::file("src/endpoint.rs", fallback::module(ir)?)?]);
    };
    let empty = Value::Object(Map::new());
    let tests = traits.get("smithy.rules#endpointTests").unwrap_or(&empty);
    let calls = cases::Calls::new(ir);
    let EndpointModule { module, tests } = emit(bdd, tests, &calls)?;
    Ok(vec![
        super::file("src/endpoint.rs", module)?,
        super::file("src/endpoint/tests.rs", tests)?,
    ])
}

/// Emits the endpoint module from the `smithy.rules#endpointBdd` trait value and its tests from
/// the `smithy.rules#endpointTests` trait value. Fails, naming the construct, on anything the
/// emitter does not support, so a model change cannot produce a wrong resolver silently.
pub(crate) fn emit(
    bdd: &Value,
    tests: &Value,
    calls: &cases::Calls<'_>,
) -> Result<EndpointModule, Error> {
    module(bdd, tests, calls).map_err(|e| Error::new(format!("endpoint rules: {e}")))
}

fn module(bdd: &Value, tests: &Value, calls: &cases::Calls<'_>) -> Result<EndpointModule, String> {
    let params = params(bdd)?;
    let mut scope = Scope::default();
    for p in &params {
        scope.add(p.name.clone())?;
    }
    let conditions = conditions(bdd, &mut scope)?;
    let (results, schemes) = results(bdd, &scope)?;
    let (root, nodes) = nodes(bdd, conditions.len(), results.len())?;

    let vars: Vec<&Name> = scope.names.iter().filter(|n| !n.param).collect();
    let params_lifetime = params
        .iter()
        .any(|p| matches!(p.name.ty, Ty::Str | Ty::EndpointUrl));
    let vars_lifetime = vars
        .iter()
        .any(|n| !matches!(n.ty, Ty::Bool | Ty::Int | Ty::Partition | Ty::StaticStr));
    let params_ty = if params_lifetime {
        quote!(Params<'a>)
    } else {
        quote!(Params)
    };
    let vars_ty = if vars_lifetime {
        quote!(Vars<'a>)
    } else {
        quote!(Vars)
    };
    let generics = if params_lifetime || vars_lifetime {
        quote!(<'a>)
    } else {
        quote!()
    };

    let params_struct = params_struct(&params, params_lifetime);
    let var_fields = vars.iter().map(|n| {
        let (ident, ty) = (&n.ident, n.ty.rust());
        let doc = doc(&format!("`{}`, once a condition has assigned it.", n.rule));
        quote!(#doc #ident: Option<#ty>,)
    });
    let required = params.iter().filter(|p| p.required && p.name.opt).map(|p| {
        let (ident, rule) = (&p.name.ident, &p.name.rule);
        quote!(rt::need(params.#ident, #rule)?;)
    });
    let condition_arms = conditions.iter().enumerate().map(|(i, c)| {
        let i = Literal::usize_unsuffixed(i);
        quote!(#i => #c,)
    });
    let result_arms = results.iter().enumerate().map(|(i, r)| {
        let i = Literal::usize_unsuffixed(i + 1);
        quote!(#i => #r,)
    });
    let node_count = Literal::usize_unsuffixed(nodes.len());
    let node_rows = nodes.iter().map(|[c, h, l]| {
        let (c, h, l) = (
            Literal::i32_unsuffixed(*c),
            Literal::i32_unsuffixed(*h),
            Literal::i32_unsuffixed(*l),
        );
        quote!([#c, #h, #l])
    });
    let root = Literal::i32_unsuffixed(root);
    let scheme_fns = schemes.definitions();
    let resolve_doc = doc(&format!(
        "Resolves the endpoint for `params`: walks the rules' decision diagram ({} nodes over {} \
         conditions) to one of its {} results, an endpoint or the error message of the rule \
         that matched.",
        nodes.len(),
        conditions.len(),
        results.len()
    ));

    let module = quote! {
        //! Endpoint resolution: which URL, signing scheme and region a request uses, decided by
        //! the service's endpoint rules (compiled from the model's `smithy.rules#endpointBdd`).

        #[cfg(test)]
        mod tests;

        use s3_runtime::endpoint as rt;

        #params_struct

        #resolve_doc
        pub fn resolve(params: &Params<'_>) -> Result<rt::Endpoint, rt::ResolveError> {
            #(#required)*
            let mut vars = Vars::default();
            let result = rt::evaluate_bdd(&NODES, ROOT, |index| condition(index, params, &mut vars));
            outcome(result, params, &vars)
        }

        /// Values that conditions assign for later conditions and results to read.
        #[derive(Default)]
        struct Vars #generics {
            #(#var_fields)*
        }

        /// The reference of the decision diagram's root node.
        const ROOT: i32 = #root;

        /// The decision diagram: condition index, then the references taken when it is true
        /// and when it is false (see `rt::evaluate_bdd`).
        static NODES: [rt::BddNode; #node_count] = [#(#node_rows),*];

        /// Evaluates condition `index`, assigning its value in `vars` if it names one.
        fn condition #generics(index: i32, params: &#params_ty, vars: &mut #vars_ty) -> bool {
            match index {
                #(#condition_arms)*
                _ => false,
            }
        }

        /// Builds result `index`: an endpoint, or the error of an error rule.
        fn outcome #generics(index: usize, params: &#params_ty, vars: &#vars_ty) -> Result<rt::Endpoint, rt::ResolveError> {
            match index {
                #(#result_arms)*
                _ => Err(rt::ResolveError::no_match()),
            }
        }

        #(#scheme_fns)*
    };
    let tests = cases::emit(tests, &params, calls)?;
    Ok(EndpointModule { module, tests })
}

/// One `match` arm body per condition, in order; assigned values join `scope`.
fn conditions(bdd: &Value, scope: &mut Scope) -> Result<Vec<TokenStream>, String> {
    let conditions = member(bdd, "conditions", Value::as_array)?;
    conditions
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let expr = Expr::parse(c).map_err(|e| format!("condition {i}: {e}"))?;
            let Some(assign) = c.get("assign") else {
                return expr::condition(&expr, scope).map_err(|e| format!("condition {i}: {e}"));
            };
            let rule = assign
                .as_str()
                .ok_or(format!("condition {i}: bad assign"))?;
            let value = expr::emit(&expr, scope).map_err(|e| format!("condition {i}: {e}"))?;
            let ident = expr::ident(rule)?;
            scope.add(Name {
                rule: rule.to_owned(),
                ident: ident.clone(),
                ty: value.ty,
                opt: true,
                param: false,
            })?;
            let ts = &value.ts;
            Ok(match (value.opt, value.ty) {
                (true, Ty::Bool) => quote!({ vars.#ident = #ts; vars.#ident == Some(true) }),
                (true, _) => quote!({ vars.#ident = #ts; vars.#ident.is_some() }),
                (false, Ty::Bool) => quote!({ let value = #ts; vars.#ident = Some(value); value }),
                (false, _) => quote!({ vars.#ident = Some(#ts); true }),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::{cases, emit};

    #[test]
    fn unsupported_constructs_are_errors() {
        let bdd = |condition: Value| {
            serde_json::json!({
                "parameters": {"Region": {"type": "string", "required": false, "documentation": "r"}},
                "conditions": [condition],
                "results": [],
                "root": 1,
                "nodeCount": 1,
                "nodes": "/////wAAAAH/////",
            })
        };
        let tests = serde_json::json!({"testCases": []});
        let err = |c: Value| {
            emit(&bdd(c), &tests, &cases::Calls::default())
                .err()
                .unwrap()
                .to_string()
        };
        assert!(err(serde_json::json!({"fn": "frobnicate", "argv": []}))
            .contains("unsupported function"));
        assert!(
            err(serde_json::json!({"fn": "isSet", "argv": [{"ref": "Nope"}]}))
                .contains("unknown reference")
        );
        let ok = emit(
            &bdd(serde_json::json!({"fn": "isSet", "argv": [{"ref": "Region"}]})),
            &tests,
            &cases::Calls::default(),
        );
        assert!(ok.is_ok());
    }
}
