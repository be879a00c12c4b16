//! Parser: tokens in, postfix code out (through an [`Emitter`]), names resolved and arities
//! checked on the way. A Pratt parser (precedence climbing), lowest to highest:
//!
//! | level | operators | associativity |
//! |---|---|---|
//! | 1 | `or` | left |
//! | 2 | `and` | left |
//! | 3 | `not` (prefix) | |
//! | 4 | `< <= > >= == !=` | none: `a < b < c` is an error (Python would read it as `a < b and b < c`) |
//! | 5 | `+ -` | left |
//! | 6 | `* / %` | left |
//! | 7 | unary `-`, `+` | |
//! | 8 | `^` | right; binds tighter than a unary minus on its left: `-2^2 == -4`, `2^-1 == 0.5` |
//!
//! as in Python (with `^` for `**`). Left-associative chains are loops, not recursion; recursion
//! happens only for nesting (parentheses, call arguments, prefix operators, right operands), and
//! that is capped at [`MAX_DEPTH`] levels, so no input can overflow the stack (measured: about
//! 0.4 KiB of stack per level in release builds, 3.5 KiB in debug builds, so under 1 MiB at the
//! limit).

use std::ops::Range;

use crate::compile::{Compiled, Emitter};
use crate::lexer::{tokenize, Tok, Token};
use crate::names::{self, Arity, Function};
use crate::vm::Op;
use crate::{ExprError, Var};

/// Longest accepted source, in bytes.
pub const MAX_LEN: usize = 64 * 1024;
/// Deepest accepted nesting, counted in parser recursion levels: each parenthesis, call
/// argument list, prefix operator (`-`, `not`) and right operand of a binary operator opens one
/// (`(1 + (2))` is 4 levels: top, `(`, the right side of `+`, `(`). Flat chains cost nothing:
/// `a + b + c + ...` stays at 2.
pub const MAX_DEPTH: usize = 256;

// Binding powers. An infix operator with left power `l` continues an expression parsed at
// minimum power `m` when `l >= m`; its right operand is parsed at its right power.
const BP_OR: (u8, u8) = (1, 2);
const BP_AND: (u8, u8) = (3, 4);
/// `not` is accepted where an `and` operand may start, and its operand stops before `and`/`or`.
const BP_NOT: u8 = 4;
const BP_CMP: (u8, u8) = (5, 6);
const BP_ADD: (u8, u8) = (7, 8);
const BP_MUL: (u8, u8) = (9, 10);
/// Operand of unary minus: takes in `^` (left power 11) but not `*`.
const BP_NEG: u8 = 11;
/// Right-associative: the right operand is parsed at the same power, so it takes the next `^`.
const BP_POW: (u8, u8) = (11, 11);

pub(crate) fn parse(src: &str) -> Result<Compiled, ExprError> {
    if src.len() > MAX_LEN {
        return Err(ExprError {
            message: format!(
                "expression too long ({} bytes; the limit is {MAX_LEN})",
                src.len()
            ),
            span: MAX_LEN..src.len(),
        });
    }
    let toks = tokenize(src)?;
    if toks.len() == 1 {
        return Err(ExprError {
            message: "empty expression".into(),
            span: 0..src.len(),
        });
    }
    let mut p = Parser {
        src,
        toks,
        pos: 0,
        depth: 0,
        em: Emitter::default(),
    };
    p.expr(0)?;
    let t = p.peek();
    match t.tok {
        Tok::Eof => {}
        Tok::RParen => return Err(p.err("unmatched `)`", t.span())),
        _ => return Err(p.unexpected("an operator", t)),
    }
    p.em.finish(0..src.len())
}

struct Parser<'a> {
    src: &'a str,
    toks: Vec<Token<'a>>,
    pos: usize,
    depth: usize,
    em: Emitter,
}

fn infix(tok: Tok) -> Option<(Op, (u8, u8))> {
    Some(match tok {
        Tok::Ident("or") => (Op::Or, BP_OR),
        Tok::Ident("and") => (Op::And, BP_AND),
        Tok::Lt => (Op::Lt, BP_CMP),
        Tok::Le => (Op::Le, BP_CMP),
        Tok::Gt => (Op::Gt, BP_CMP),
        Tok::Ge => (Op::Ge, BP_CMP),
        Tok::EqEq => (Op::Eq, BP_CMP),
        Tok::Ne => (Op::Ne, BP_CMP),
        Tok::Plus => (Op::Add, BP_ADD),
        Tok::Minus => (Op::Sub, BP_ADD),
        Tok::Star => (Op::Mul, BP_MUL),
        Tok::Slash => (Op::Div, BP_MUL),
        Tok::Percent => (Op::Rem, BP_MUL),
        Tok::Caret => (Op::Pow, BP_POW),
        _ => return None,
    })
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Token<'a> {
        self.toks[self.pos]
    }

    /// The token after the current one (the last token, `Eof`, repeats).
    fn peek2(&self) -> Token<'a> {
        self.toks[(self.pos + 1).min(self.toks.len() - 1)]
    }

    fn bump(&mut self) -> Token<'a> {
        let t = self.toks[self.pos];
        if self.pos + 1 < self.toks.len() {
            self.pos += 1;
        }
        t
    }

    /// Error constructors are `#[cold]` and never inlined: kept out of the recursive functions,
    /// their formatting temporaries do not enlarge every recursion frame (which in debug builds
    /// otherwise costs kilobytes of stack per nesting level).
    #[cold]
    #[inline(never)]
    fn err(&self, message: &str, span: Range<usize>) -> ExprError {
        ExprError {
            message: message.to_string(),
            span,
        }
    }

    /// "expected {what}, found {t}".
    #[cold]
    #[inline(never)]
    fn unexpected(&self, what: &str, t: Token) -> ExprError {
        ExprError {
            message: format!("expected {what}, found {}", self.describe(t)),
            span: t.span(),
        }
    }

    #[cold]
    #[inline(never)]
    fn too_deep(&self) -> ExprError {
        ExprError {
            message: format!("expression nested too deeply (more than {MAX_DEPTH} levels)"),
            span: self.peek().span(),
        }
    }

    /// For messages: "`+`", "number `2`", "end of expression".
    fn describe(&self, t: Token) -> String {
        let text = &self.src[t.span()];
        match t.tok {
            Tok::Eof => "end of expression".into(),
            Tok::Num(_) => format!("number `{text}`"),
            _ => format!("`{text}`"),
        }
    }

    /// Parses one expression whose operators all bind at least as tightly as `min_bp`.
    fn expr(&mut self, min_bp: u8) -> Result<(), ExprError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.too_deep());
        }
        let start = self.em.here();
        self.prefix(min_bp)?;
        let mut after_comparison = false;
        while let Some((op, (lbp, rbp))) = infix(self.peek().tok) {
            if lbp < min_bp {
                break;
            }
            let t = self.bump();
            let is_comparison = (lbp, rbp) == BP_CMP;
            if is_comparison && after_comparison {
                return Err(self.err(
                    "comparisons cannot be chained; write `a < b and b < c`",
                    t.span(),
                ));
            }
            self.expr(rbp)?;
            self.em.apply(op, start);
            after_comparison = is_comparison;
        }
        self.depth -= 1;
        Ok(())
    }

    /// A value: number, name, call, parenthesized expression, or prefix operator and operand.
    fn prefix(&mut self, min_bp: u8) -> Result<(), ExprError> {
        let t = self.peek();
        match t.tok {
            Tok::Num(v) => {
                self.bump();
                self.em.constant(v);
            }
            Tok::Minus | Tok::Plus => {
                self.bump();
                let start = self.em.here();
                self.expr(BP_NEG)?;
                if t.tok == Tok::Minus {
                    self.em.apply(Op::Neg, start);
                }
            }
            Tok::Ident("not") => {
                if min_bp > BP_NOT {
                    return Err(
                        self.err("`not` must be in parentheses here: `(not ...)`", t.span())
                    );
                }
                self.bump();
                let start = self.em.here();
                self.expr(BP_NOT)?;
                self.em.apply(Op::Not, start);
            }
            Tok::LParen => {
                self.bump();
                self.expr(0)?;
                let close = self.peek();
                match close.tok {
                    Tok::RParen => {
                        self.bump();
                    }
                    Tok::Eof => return Err(self.err("unclosed `(`", t.span())),
                    _ => return Err(self.unexpected("an operator or `)`", close)),
                }
            }
            Tok::Ident(_) if self.peek2().tok == Tok::LParen => self.call()?,
            Tok::Ident(name) => self.name(name)?,
            _ => return Err(self.unexpected("a value", t)),
        }
        Ok(())
    }

    /// `name(args...)`; the current token is `name`, the next is `(`.
    fn call(&mut self) -> Result<(), ExprError> {
        let name_tok = self.bump();
        let open = self.bump();
        let f = self.function(name_tok)?;
        let first = self.em.here();
        let mut count = 0usize;
        if self.peek().tok == Tok::RParen {
            self.bump();
        } else {
            loop {
                self.expr(0)?;
                count += 1;
                // Variadic min/max: fold into the running result as each argument arrives, so
                // the stack holds at most two values whatever the number of arguments.
                if matches!(f.arity, Arity::AtLeast(_)) && count >= 2 {
                    self.em.apply(f.op, first);
                }
                let t = self.bump();
                match t.tok {
                    Tok::Comma => continue,
                    Tok::RParen => break,
                    Tok::Eof => return Err(self.err("unclosed `(`", open.span())),
                    _ => return Err(self.unexpected("an operator, `,` or `)`", t)),
                }
            }
        }
        let close = self.toks[self.pos - 1];
        self.check_arity(f, count, name_tok.start..close.end)?;
        if let Arity::Exactly(_) = f.arity {
            self.em.apply(f.op, first);
        }
        Ok(())
    }

    /// The built-in function `name_tok` names.
    #[inline(never)]
    fn function(&self, name_tok: Token) -> Result<&'static Function, ExprError> {
        let Tok::Ident(name) = name_tok.tok else {
            unreachable!("called on an identifier")
        };
        if let Some(f) = names::function(name) {
            return Ok(f);
        }
        let message = if names::VALUE_NAMES.contains(&name) {
            format!("`{name}` is not a function")
        } else if names::KEYWORDS.contains(&name) {
            format!("expected a value, found `{name}`")
        } else {
            format!(
                "unknown function `{name}`{}",
                names::did_you_mean(name, names::FUNCTIONS.iter().map(|f| f.name))
            )
        };
        Err(ExprError {
            message,
            span: name_tok.span(),
        })
    }

    #[inline(never)]
    fn check_arity(&self, f: &Function, count: usize, span: Range<usize>) -> Result<(), ExprError> {
        let (ok, at_least, n) = match f.arity {
            Arity::Exactly(n) => (count == n, "", n),
            Arity::AtLeast(n) => (count >= n, "at least ", n),
        };
        if ok {
            return Ok(());
        }
        let s = if n == 1 { "" } else { "s" };
        Err(ExprError {
            message: format!(
                "`{}` takes {at_least}{n} argument{s}, found {count}",
                f.name
            ),
            span,
        })
    }

    /// A bare name: a variable, `src.NAME` / `trg.NAME`, or `pi`. (Not recursive; kept out of
    /// line so that its error formatting does not weigh on the recursive `prefix`.)
    #[inline(never)]
    fn name(&mut self, name: &str) -> Result<(), ExprError> {
        let t = self.bump();
        let var = match name {
            "pi" => {
                self.em.constant(std::f64::consts::PI);
                return Ok(());
            }
            "d" => Var::D,
            "dx" => Var::Dx,
            "dy" => Var::Dy,
            "dz" => Var::Dz,
            "src" | "trg" => {
                let dot = self.peek();
                if dot.tok != Tok::Dot {
                    return Err(self.err(
                        &format!("`{name}` needs a property name: `{name}.NAME`"),
                        t.span(),
                    ));
                }
                self.bump();
                let prop = self.peek();
                let Tok::Ident(prop_name) = prop.tok else {
                    return Err(self.err(
                        &format!("expected a property name after `{name}.`"),
                        t.start..dot.end,
                    ));
                };
                self.bump();
                let span = t.start..prop.end;
                let var = if name == "src" {
                    Var::Src(prop_name.to_string())
                } else {
                    Var::Trg(prop_name.to_string())
                };
                self.em.variable(var, span);
                return Ok(());
            }
            _ if names::function(name).is_some() => {
                return Err(self.err(
                    &format!("`{name}` is a function: write `{name}(...)`"),
                    t.span(),
                ));
            }
            _ if names::KEYWORDS.contains(&name) => {
                return Err(self.err(&format!("expected a value, found `{name}`"), t.span()));
            }
            _ => {
                // One- and two-letter names (`x`, `r`) are too short for a typo guess to mean
                // much (`x` is one edit from `d`); they are most likely node properties.
                let guess = if name.len() > 2 {
                    names::suggest(name, names::VALUE_NAMES.iter().copied())
                } else {
                    None
                };
                let hint = match guess {
                    Some(s) if s == "src" || s == "trg" => format!("; did you mean `{s}.NAME`?"),
                    Some(s) => format!("; did you mean `{s}`?"),
                    None => format!(
                        "; the variables are d, dx, dy, dz, src.NAME and trg.NAME \
                         (a node property is written `src.{name}` or `trg.{name}`)"
                    ),
                };
                return Err(self.err(&format!("unknown variable `{name}`{hint}"), t.span()));
            }
        };
        self.em.variable(var, t.span());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    //! What parsing emits through the compile stage's `Emitter` (folding, squares, stack size):
    //! here rather than in compile.rs, which the parser depends on.
    use super::parse;
    use crate::vm::{Op, StackSize};

    #[test]
    fn constant_subtrees_fold_to_one_op() {
        // d * (2*3 + exp(0)) -> [Var 0, Const 7, Mul]
        let c = parse("d * (2*3 + exp(0))").unwrap();
        assert_eq!(&*c.code, &[Op::Var(0), Op::Const(7.0), Op::Mul]);
        // Random draws are never folded, even with constant arguments.
        let c = parse("uniform(1, 2) + 1 * 2").unwrap();
        assert_eq!(
            &*c.code,
            &[
                Op::Const(1.0),
                Op::Const(2.0),
                Op::Uniform,
                Op::Const(2.0),
                Op::Add
            ]
        );
    }

    #[test]
    fn products_of_identical_operands_become_squares() {
        let c = parse("d * d").unwrap();
        assert_eq!(&*c.code, &[Op::Var(0), Op::Square]);
        let c = parse("(dx + 1) * (dx + 1) + dz").unwrap();
        assert_eq!(
            &*c.code,
            &[
                Op::Var(0),
                Op::Const(1.0),
                Op::Add,
                Op::Square,
                Op::Var(1),
                Op::Add
            ]
        );
        // Left-associative: (d * d) * d is Square(d) * d.
        let c = parse("d * d * d").unwrap();
        assert_eq!(&*c.code, &[Op::Var(0), Op::Square, Op::Var(0), Op::Mul]);
        // Different operands, random operands and differently signed zeros stay products.
        for src in [
            "d * dx",
            "rand() * rand()",
            "(d + 0) * (d + -0)",
            "(d - dx) * (dx - d)",
        ] {
            let c = parse(src).unwrap();
            assert_eq!(c.code.last(), Some(&Op::Mul), "{src}");
        }
        // Negated squares: `-x*x` is `(-x) * x`.
        for src in ["-d * d", "d * -d", "-(d * d)"] {
            let c = parse(src).unwrap();
            assert_eq!(&*c.code, &[Op::Var(0), Op::Square, Op::Neg], "{src}");
        }
        let c = parse("-d * -d").unwrap();
        assert_eq!(&*c.code, &[Op::Var(0), Op::Neg, Op::Square]);
        // Constant squares fold.
        assert_eq!(&*parse("3 * 3").unwrap().code, &[Op::Const(9.0)]);
    }

    #[test]
    fn stack_size_class_follows_depth() {
        assert_eq!(parse("d + dx * dy").unwrap().stack, StackSize::S8);
        let deep = format!("{}d{}", "(d + ".repeat(40), ")".repeat(40));
        assert_eq!(parse(&deep).unwrap().stack, StackSize::S128);
        // Flat chains and variadic min stay shallow.
        let flat = vec!["d"; 1000].join(" * ");
        assert_eq!(parse(&flat).unwrap().stack, StackSize::S8);
        let min = format!("min({})", vec!["d"; 1000].join(", "));
        assert_eq!(parse(&min).unwrap().stack, StackSize::S8);
    }
}
