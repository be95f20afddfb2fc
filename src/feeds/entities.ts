// HTML 4 named entities (the set feeds actually use); Latin-1 names map to U+00A0.. in order.
const LATIN1 =
  "nbsp iexcl cent pound curren yen brvbar sect uml copy ordf laquo not shy reg macr deg plusmn sup2 sup3 acute micro para middot cedil sup1 ordm raquo frac14 frac12 frac34 iquest Agrave Aacute Acirc Atilde Auml Aring AElig Ccedil Egrave Eacute Ecirc Euml Igrave Iacute Icirc Iuml ETH Ntilde Ograve Oacute Ocirc Otilde Ouml times Oslash Ugrave Uacute Ucirc Uuml Yacute THORN szlig agrave aacute acirc atilde auml aring aelig ccedil egrave eacute ecirc euml igrave iacute icirc iuml eth ntilde ograve oacute ocirc otilde ouml divide oslash ugrave uacute ucirc uuml yacute thorn yuml";
// name:codepoint-in-base-36
const OTHERS =
  "fnof:b6,Alpha:pd,Beta:pe,Gamma:pf,Delta:pg,Epsilon:ph,Zeta:pi,Eta:pj,Theta:pk,Iota:pl,Kappa:pm,Lambda:pn,Mu:po,Nu:pp,Xi:pq,Omicron:pr,Pi:ps,Rho:pt,Sigma:pv,Tau:pw,Upsilon:px,Phi:py,Chi:pz,Psi:q0,Omega:q1,alpha:q9,beta:qa,gamma:qb,delta:qc,epsilon:qd,zeta:qe,eta:qf,theta:qg,iota:qh,kappa:qi,lambda:qj,mu:qk,nu:ql,xi:qm,omicron:qn,pi:qo,rho:qp,sigmaf:qq,sigma:qr,tau:qs,upsilon:qt,phi:qu,chi:qv,psi:qw,omega:qx,thetasym:r5,upsih:r6,piv:ra,bull:6ci,hellip:6cm,prime:6cy,Prime:6cz,oline:6da,frasl:6dg,weierp:6jc,image:6j5,real:6jg,trade:6jm,alefsym:6k5,larr:6mo,uarr:6mp,rarr:6mq,darr:6mr,harr:6ms,crarr:6np,lArr:6og,uArr:6oh,rArr:6oi,dArr:6oj,hArr:6ok,forall:6ps,part:6pu,exist:6pv,empty:6px,nabla:6pz,isin:6q0,notin:6q1,ni:6q3,prod:6q7,sum:6q9,minus:6qa,lowast:6qf,radic:6qi,prop:6ql,infin:6qm,ang:6qo,and:6qv,or:6qw,cap:6qx,cup:6qy,int:6qz,there4:6r8,sim:6rg,cong:6rp,asymp:6rs,ne:6sg,equiv:6sh,le:6sk,ge:6sl,sub:6te,sup:6tf,nsub:6tg,sube:6ti,supe:6tj,oplus:6tx,otimes:6tz,perp:6ud,sdot:6v9,lceil:6x4,rceil:6x5,lfloor:6x6,rfloor:6x7,lang:7vs,rang:7vt,loz:7gq,spades:7kw,clubs:7kz,hearts:7l1,diams:7l2,quot:y,amp:12,lt:1o,gt:1q,apos:13,OElig:9e,oelig:9f,Scaron:9s,scaron:9t,Yuml:ag,circ:jq,tilde:kc,ensp:6bm,emsp:6bn,thinsp:6bt,zwnj:6bw,zwj:6bx,lrm:6by,rlm:6bz,ndash:6c3,mdash:6c4,lsquo:6c8,rsquo:6c9,sbquo:6ca,ldquo:6cc,rdquo:6cd,bdquo:6ce,dagger:6cg,Dagger:6ch,permil:6cw,lsaquo:6d5,rsaquo:6d6,euro:6gc";

/** Named HTML entity → code point. */
export const NAMED_ENTITIES: ReadonlyMap<string, number> = (() => {
  const map = new Map<string, number>();
  LATIN1.split(" ").forEach((name, i) => map.set(name, 0xa0 + i));
  for (const pair of OTHERS.split(",")) {
    const [name, cp] = pair.split(":");
    if (name && cp) map.set(name, parseInt(cp, 36));
  }
  return map;
})();

// HTML maps numeric references 0x80-0x9F to windows-1252 characters.
const CP1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
];

/** Reverse of windows-1252 for 0x80-0x9F (code point → byte), used to undo mojibake. */
export const CP1252_REVERSE: ReadonlyMap<number, number> = new Map(CP1252_HIGH.map((cp, i) => [cp, 0x80 + i]));

/** The windows-1252 character for a C1 code point (0x80-0x9F); "" for the five bytes it leaves undefined. */
export function fromCp1252(cp: number): string {
  const mapped = CP1252_HIGH[cp - 0x80];
  return mapped === undefined || mapped === cp ? "" : String.fromCodePoint(mapped);
}

function fromCodePoint(cp: number): string {
  if (cp >= 0x80 && cp <= 0x9f) return String.fromCodePoint(CP1252_HIGH[cp - 0x80]!);
  if (cp === 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return "";
  return String.fromCodePoint(cp);
}

/** Decodes named (HTML 4 set), decimal and hex character references; unknown ones stay as written. */
export function decodeEntities(text: string): string {
  if (!text.includes("&")) return text;
  return text.replace(/&(#[0-9]{1,8}|#[xX][0-9a-fA-F]{1,7}|[A-Za-z][A-Za-z0-9]{1,31});/g, (whole, ref: string) => {
    if (ref.startsWith("#")) {
      const cp = ref[1] === "x" || ref[1] === "X" ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return fromCodePoint(cp);
    }
    const cp = NAMED_ENTITIES.get(ref);
    return cp === undefined ? whole : String.fromCodePoint(cp);
  });
}
