//! The expression language of the policy files: lexing and parsing into an untyped syntax
//! tree whose every node keeps its byte span inside the expression text.
//!
//! ```text
//! expr    := "if" expr "then" expr "else" expr | or
//! or      := and ("or" and)*
//! and     := not ("and" not)*
//! not     := "not" not | compare
//! compare := sum (("<" | "<=" | ">" | ">=" | "==" | "!=" | "in" | "not" "in") sum)?
//! sum     := product (("+" | "-") product)*
//! product := unary (("*" | "/") unary)*
//! unary   := "-" unary | atom
//! atom    := NUMBER ["%" | "months" | "years"] | 'text' | "true" | "false"
//!          | NAME ["(" [expr ("," expr)*] ")"] | "(" expr ")" | "[" [expr ("," expr)*] "]"
//!          | "if" …
//! ```
//! NAME is a dotted path (`startup.founder_equity_pct`), a variable (`age`), a parameter, a
//! named set (`CORE3`) or an enumeration value (`doctorate`); the type checker decides which.

use rust_decimal::Decimal;

mod lex;
use lex::{Lexer, Tok};

pub type Span = (usize, usize);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Or,
    And,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
    In,
    NotIn,
    Add,
    Sub,
    Mul,
    Div,
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Or => "or",
            BinOp::And => "and",
            BinOp::Lt => "<",
            BinOp::Le => "≤",
            BinOp::Gt => ">",
            BinOp::Ge => "≥",
            BinOp::Eq => "=",
            BinOp::Ne => "≠",
            BinOp::In => "∈",
            BinOp::NotIn => "∉",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "×",
            BinOp::Div => "÷",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    Number(Decimal),
    /// `36 months`, `3 years` (stored in months).
    Months(i64),
    Text(String),
    Bool(bool),
    Name(String),
    Call(String, Vec<Node>),
    /// `startup_amount[tier]`: a parameter table's entry for a key.
    Index(String, Box<Node>),
    List(Vec<Node>),
    Not(Box<Node>),
    Neg(Box<Node>),
    Binary(BinOp, Box<Node>, Box<Node>),
    If(Box<Node>, Box<Node>, Box<Node>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub kind: NodeKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub span: Span,
    pub message: String,
    /// The same in Chinese.
    pub zh: String,
}

struct Parser<'s> {
    lexer: Lexer<'s>,
    tok: Tok,
    span: Span,
    depth: usize,
    /// Tokens read so far.
    tokens: usize,
}

/// The deepest an expression's tree may be, counting every operation (a flat chain
/// `a and b and …` is as deep as it is long): whatever walks the tree (the compiler, the
/// evaluators, the unit and description checks) recurses at most this far.
pub const MAX_DEPTH: usize = 64;
/// The most tokens one expression may hold.
pub const MAX_TOKENS: usize = 4_000;
const KEYWORDS: [&str; 11] = [
    "and", "or", "not", "in", "if", "then", "else", "true", "false", "months", "years",
];

pub fn parse(src: &str) -> Result<Node, SyntaxError> {
    let mut p = Parser {
        lexer: Lexer { src, pos: 0 },
        tok: Tok::End,
        span: (0, 0),
        depth: 0,
        tokens: 0,
    };
    p.advance()?;
    let node = p.expr()?;
    if p.tok != Tok::End {
        return Err(p.unexpected("the end of the expression or an operator"));
    }
    if height(&node) > MAX_DEPTH {
        return Err(too_deep(node.span));
    }
    Ok(node)
}

/// How deep a tree is: 1 for a leaf. Only called on trees the parser has bounded (at most
/// twice `MAX_DEPTH` while one is being built), so the recursion is bounded too.
fn height(n: &Node) -> usize {
    1 + match &n.kind {
        NodeKind::Number(_)
        | NodeKind::Months(_)
        | NodeKind::Text(_)
        | NodeKind::Bool(_)
        | NodeKind::Name(_) => 0,
        NodeKind::Call(_, items) | NodeKind::List(items) => {
            items.iter().map(height).max().unwrap_or(0)
        }
        NodeKind::Index(_, x) | NodeKind::Not(x) | NodeKind::Neg(x) => height(x),
        NodeKind::Binary(_, l, r) => height(l).max(height(r)),
        NodeKind::If(c, t, e) => height(c).max(height(t)).max(height(e)),
    }
}

fn too_deep(span: Span) -> SyntaxError {
    SyntaxError {
        span,
        message: format!(
            "expression nested more than {MAX_DEPTH} deep (every `and`, `or`, `+`, `*` … counts): split it into several conditions or parameters"
        ),
        zh: format!(
            "表达式嵌套超过 {MAX_DEPTH} 层（每个 and、or、+、* 等运算都算一层）：请拆成几个条件或参数"
        ),
    }
}

impl Parser<'_> {
    fn advance(&mut self) -> Result<(), SyntaxError> {
        let (tok, span) = self.lexer.next()?;
        self.tokens += 1;
        if self.tokens > MAX_TOKENS {
            return Err(SyntaxError {
                span,
                message: format!(
                    "the expression has more than {MAX_TOKENS} parts: split it into several conditions or parameters"
                ),
                zh: format!("表达式超过 {MAX_TOKENS} 个组成部分：请拆成几个条件或参数"),
            });
        }
        self.tok = tok;
        self.span = span;
        Ok(())
    }

    fn is_word(&self, w: &str) -> bool {
        matches!(&self.tok, Tok::Name(n) if n == w)
    }

    fn is_sym(&self, s: &str) -> bool {
        matches!(&self.tok, Tok::Sym(t) if *t == s)
    }

    fn unexpected(&self, wanted: &str) -> SyntaxError {
        let (found, found_zh) = match &self.tok {
            Tok::End => (
                "the end of the expression".to_string(),
                "表达式已结束".to_string(),
            ),
            _ => {
                let t = format!("`{}`", &self.lexer.src[self.span.0..self.span.1]);
                (t.clone(), t)
            }
        };
        let wanted_zh = match wanted {
            "a value" => "一个值".to_string(),
            "the end of the expression or an operator" => "表达式结束或运算符".to_string(),
            "`in` after `not`" => "`not` 之后的 `in`".to_string(),
            other => other.to_string(),
        };
        SyntaxError {
            span: self.span,
            message: format!("expected {wanted}, found {found}"),
            zh: format!("此处应为{wanted_zh}，却是{found_zh}"),
        }
    }

    fn expect_word(&mut self, w: &str) -> Result<(), SyntaxError> {
        if self.is_word(w) {
            self.advance()
        } else {
            Err(self.unexpected(&format!("`{w}`")))
        }
    }

    fn expect_sym(&mut self, s: &str) -> Result<(), SyntaxError> {
        if self.is_sym(s) {
            self.advance()
        } else {
            Err(self.unexpected(&format!("`{s}`")))
        }
    }

    fn nest(&mut self) -> Result<(), SyntaxError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(SyntaxError {
                span: self.span,
                message: format!("expression nested more than {MAX_DEPTH} deep"),
                zh: format!("表达式嵌套超过 {MAX_DEPTH} 层"),
            });
        }
        Ok(())
    }

    fn expr(&mut self) -> Result<Node, SyntaxError> {
        self.nest()?;
        let node = if self.is_word("if") {
            self.if_expr()
        } else {
            self.or()
        };
        self.depth -= 1;
        node
    }

    fn if_expr(&mut self) -> Result<Node, SyntaxError> {
        let start = self.span.0;
        self.advance()?;
        let cond = self.expr()?;
        self.expect_word("then")?;
        let then = self.expr()?;
        self.expect_word("else")?;
        let otherwise = self.expr()?;
        let end = otherwise.span.1;
        Ok(Node {
            kind: NodeKind::If(Box::new(cond), Box::new(then), Box::new(otherwise)),
            span: (start, end),
        })
    }

    /// `l op r`, refused when the tree would grow deeper than `MAX_DEPTH`: a flat chain
    /// grows one deeper with every operator, and the parser's own recursion does not count it.
    fn binary(op: BinOp, l: Node, r: Node) -> Result<Node, SyntaxError> {
        let span = (l.span.0, r.span.1);
        if 1 + height(&l).max(height(&r)) > MAX_DEPTH {
            return Err(too_deep(span));
        }
        Ok(Node {
            kind: NodeKind::Binary(op, Box::new(l), Box::new(r)),
            span,
        })
    }

    fn or(&mut self) -> Result<Node, SyntaxError> {
        let mut l = self.and()?;
        while self.is_word("or") {
            self.advance()?;
            let r = self.and()?;
            l = Self::binary(BinOp::Or, l, r)?;
        }
        Ok(l)
    }

    fn and(&mut self) -> Result<Node, SyntaxError> {
        let mut l = self.not()?;
        while self.is_word("and") {
            self.advance()?;
            let r = self.not()?;
            l = Self::binary(BinOp::And, l, r)?;
        }
        Ok(l)
    }

    fn not(&mut self) -> Result<Node, SyntaxError> {
        if self.is_word("not") {
            let start = self.span.0;
            self.advance()?;
            self.nest()?;
            let inner = self.not()?;
            self.depth -= 1;
            let span = (start, inner.span.1);
            return Ok(Node {
                kind: NodeKind::Not(Box::new(inner)),
                span,
            });
        }
        self.compare()
    }

    fn compare(&mut self) -> Result<Node, SyntaxError> {
        let l = self.sum()?;
        let op = match &self.tok {
            Tok::Sym("<") => BinOp::Lt,
            Tok::Sym("<=") => BinOp::Le,
            Tok::Sym(">") => BinOp::Gt,
            Tok::Sym(">=") => BinOp::Ge,
            Tok::Sym("==") => BinOp::Eq,
            Tok::Sym("!=") => BinOp::Ne,
            Tok::Name(n) if n == "in" => BinOp::In,
            Tok::Name(n) if n == "not" => {
                self.advance()?;
                if !self.is_word("in") {
                    return Err(self.unexpected("`in` after `not`"));
                }
                BinOp::NotIn
            }
            _ => return Ok(l),
        };
        self.advance()?;
        let r = self.sum()?;
        Self::binary(op, l, r)
    }

    fn sum(&mut self) -> Result<Node, SyntaxError> {
        let mut l = self.product()?;
        loop {
            let op = match self.tok {
                Tok::Sym("+") => BinOp::Add,
                Tok::Sym("-") => BinOp::Sub,
                _ => return Ok(l),
            };
            self.advance()?;
            let r = self.product()?;
            l = Self::binary(op, l, r)?;
        }
    }

    fn product(&mut self) -> Result<Node, SyntaxError> {
        let mut l = self.unary()?;
        loop {
            let op = match self.tok {
                Tok::Sym("*") => BinOp::Mul,
                Tok::Sym("/") => BinOp::Div,
                _ => return Ok(l),
            };
            self.advance()?;
            let r = self.unary()?;
            l = Self::binary(op, l, r)?;
        }
    }

    fn unary(&mut self) -> Result<Node, SyntaxError> {
        if self.is_sym("-") {
            let start = self.span.0;
            self.advance()?;
            self.nest()?;
            let inner = self.unary()?;
            self.depth -= 1;
            let span = (start, inner.span.1);
            return Ok(Node {
                kind: NodeKind::Neg(Box::new(inner)),
                span,
            });
        }
        self.atom()
    }

    fn list(&mut self, close: &str) -> Result<Vec<Node>, SyntaxError> {
        let mut items = Vec::new();
        if self.is_sym(close) {
            self.advance()?;
            return Ok(items);
        }
        loop {
            items.push(self.expr()?);
            if self.is_sym(",") {
                self.advance()?;
                if self.is_sym(close) {
                    self.advance()?;
                    return Ok(items);
                }
            } else {
                self.expect_sym(close)?;
                return Ok(items);
            }
        }
    }

    fn atom(&mut self) -> Result<Node, SyntaxError> {
        let start = self.span;
        match self.tok.clone() {
            Tok::Number(n, percent) => {
                self.advance()?;
                if percent {
                    return Ok(Node {
                        kind: NodeKind::Number((n / Decimal::ONE_HUNDRED).normalize()),
                        span: start,
                    });
                }
                let unit = if self.is_word("months") {
                    Some(1)
                } else if self.is_word("years") {
                    Some(12)
                } else {
                    None
                };
                if let Some(unit) = unit {
                    let span = (start.0, self.span.1);
                    if !n.fract().is_zero() || n > Decimal::from(100_000) {
                        return Err(SyntaxError {
                            span,
                            message:
                                "a number of months or years must be a whole number up to 100000"
                                    .into(),
                            zh: "月数或年数应为不超过 100000 的整数".into(),
                        });
                    }
                    self.advance()?;
                    let months = i64::try_from(n.trunc().mantissa()).unwrap_or(0) * unit;
                    return Ok(Node {
                        kind: NodeKind::Months(months),
                        span,
                    });
                }
                Ok(Node {
                    kind: NodeKind::Number(n),
                    span: start,
                })
            }
            Tok::Text(t) => {
                self.advance()?;
                Ok(Node {
                    kind: NodeKind::Text(t),
                    span: start,
                })
            }
            Tok::Name(n) if n == "if" => self.if_expr(),
            Tok::Name(n) if n == "true" || n == "false" => {
                self.advance()?;
                Ok(Node {
                    kind: NodeKind::Bool(n == "true"),
                    span: start,
                })
            }
            Tok::Name(n) if KEYWORDS.contains(&n.as_str()) => Err(self.unexpected("a value")),
            Tok::Name(n) => {
                if n.starts_with('.') || n.ends_with('.') || n.contains("..") {
                    return Err(SyntaxError {
                        span: start,
                        message: format!("`{n}` is not a valid name"),
                        zh: format!("`{n}` 不是有效的名称"),
                    });
                }
                self.advance()?;
                if self.is_sym("(") {
                    self.advance()?;
                    self.nest()?;
                    let args = self.list(")")?;
                    self.depth -= 1;
                    let span = (start.0, self.lexer_prev_end());
                    return Ok(Node {
                        kind: NodeKind::Call(n, args),
                        span,
                    });
                }
                if self.is_sym("[") {
                    self.advance()?;
                    self.nest()?;
                    let key = self.expr()?;
                    self.expect_sym("]")?;
                    self.depth -= 1;
                    let span = (start.0, self.lexer_prev_end());
                    return Ok(Node {
                        kind: NodeKind::Index(n, Box::new(key)),
                        span,
                    });
                }
                Ok(Node {
                    kind: NodeKind::Name(n),
                    span: start,
                })
            }
            Tok::Sym("(") => {
                self.advance()?;
                let inner = self.expr()?;
                self.expect_sym(")")?;
                Ok(inner)
            }
            Tok::Sym("[") => {
                self.advance()?;
                self.nest()?;
                let items = self.list("]")?;
                self.depth -= 1;
                let span = (start.0, self.lexer_prev_end());
                Ok(Node {
                    kind: NodeKind::List(items),
                    span,
                })
            }
            _ => Err(self.unexpected("a value")),
        }
    }

    /// End of the token before the current one: the current token's start, less blanks.
    fn lexer_prev_end(&self) -> usize {
        self.lexer.src[..self.span.0].trim_end().len()
    }
}

#[cfg(test)]
mod tests;
