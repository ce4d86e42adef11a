/** The look the board and the trace viewer share: colours with readable contrast, cards, tables, controls, focus rings. */
export const BASE_STYLE = `
:root{--fg:#161616;--muted:#4a4a4a;--bg:#fafafa;--card:#fff;--line:#d0d0d0;
--green:#0b6b2e;--green-bg:#e3f4e8;--yellow:#6b4f00;--yellow-bg:#fff4cc;--red:#9e1111;--red-bg:#fde4e4;--accent:#0b57d0}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);background:var(--bg)}
header{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;padding:.6rem 1rem;background:#1f2328;color:#fff}
header h1{font-size:1.15rem;margin:0}
header a{color:#cfe0ff}
main{display:grid;gap:1rem;padding:1rem;grid-template-columns:repeat(auto-fit,minmax(min(100%,22rem),1fr))}
section{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:.75rem 1rem;min-width:0}
section.wide{grid-column:1/-1}
h2{font-size:1rem;margin:0 0 .5rem}
ul{list-style:none;margin:0;padding:0}
.level{display:inline-block;min-width:4.6rem;padding:0 .4rem;border-radius:3px;font-weight:700;font-size:.8rem;text-align:center;border:1px solid currentColor}
.level.green{color:var(--green);background:var(--green-bg)}
.level.yellow{color:var(--yellow);background:var(--yellow-bg)}
.level.red{color:var(--red);background:var(--red-bg)}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{text-align:left;padding:.2rem .4rem;border-bottom:1px solid #eee;vertical-align:top}
th{font-weight:600;color:var(--muted)}
td.num{font-variant-numeric:tabular-nums}
button{font:inherit;padding:.3rem .7rem;border-radius:4px;border:1px solid #555;background:#fff;color:var(--fg);cursor:pointer}
button:hover{background:#eef3ff}
button:focus-visible,input:focus-visible,a:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
input{font:inherit;padding:.25rem .4rem;border:1px solid #777;border-radius:4px;min-width:0;max-width:100%}
select{font:inherit;padding:.25rem .4rem;border:1px solid #777;border-radius:4px;background:#fff;color:var(--fg)}
select:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
.small{color:var(--muted);font-size:.85rem}
`;
