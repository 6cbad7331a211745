/* kgtool partner-network page: legend, filters, search and side panel over pyvis' vis-network.
   Every text from the data is put into the DOM with textContent, never as HTML. */
"use strict";
var KG = null;
var kgStable = false;

/* kgFold (search folding) comes from kgtool.viz.search_fold_script(), run before this. */

function kgEl(tag, text, cls) {
  var e = document.createElement(tag);
  if (text !== undefined && text !== null) { e.textContent = String(text); }
  if (cls) { e.className = cls; }
  return e;
}

function kgLookup(list, key, field) {
  for (var i = 0; i < list.length; i++) { if (list[i][key] === field) { return list[i]; } }
  return null;
}

function kgCountryLabel(code) {
  var c = kgLookup(KG.countries, "code", code);
  return c ? c.label : code;
}

function kgKindLabel(index) {
  return KG.kinds[index].label;
}

/* An agreement's party: a node index, or the label of an institution outside the network. */
function kgPartyLabel(party) {
  return typeof party === "number" ? KG.nodes[party].label : party;
}

/* The page's data, parsed once: pyvis' drawGraph asks for the edges before kgInit runs.
   The ties stay in one compact form, typed arrays of indexes (no object per tie): tie k joins
   nodes ends[2k] and ends[2k + 1], and its agreements are
   tieAgreements[tieStart[k] .. tieStart[k + 1]). vis-network's edges are made from them. */
function kgData() {
  if (KG !== null) { return KG; }
  KG = JSON.parse(document.getElementById("kg-data").textContent);
  KG.agreements = kgAgreementObjects(KG.agreements, KG.agreementSources);
  var sizes = KG.tieSizes, start = new Int32Array(sizes.length + 1);
  for (var k = 0; k < sizes.length; k++) { start[k + 1] = start[k] + sizes[k]; }
  KG.ties = sizes.length;
  KG.tieStart = start;
  KG.tieAgreements = Int32Array.from(KG.tieAgreements);
  KG.ends = Int32Array.from(KG.ends);
  KG.tieHidden = new Uint8Array(sizes.length);  /* what the edge DataSet was last told */
  KG.tieSizes = null;  /* no delete: that would turn KG into a slow dictionary object */
  return KG;
}

/* The agreements come in columns, a list per field (null where an agreement has none) and
   sources as indexes into sourceNames: an object per agreement, with only the fields it has. */
function kgAgreementObjects(columns, sourceNames) {
  var out = new Array(columns.title.length);
  var optional = ["kind", "signed", "term", "expires"];
  for (var i = 0; i < out.length; i++) {
    var a = {title: columns.title[i], status: columns.status[i],
             directions: columns.directions[i], parties: columns.parties[i]};
    for (var f = 0; f < optional.length; f++) {
      var value = columns[optional[f]][i];
      if (value !== null) { a[optional[f]] = value; }
    }
    var own = columns.sources[i];
    if (own !== null) { a.sources = own.map(function (s) { return sourceNames[s]; }); }
    out[i] = a;
  }
  return out;
}

/* Tie k's agreement indexes (a view, no copy). */
function kgTieAgreements(k) {
  return KG.tieAgreements.subarray(KG.tieStart[k], KG.tieStart[k + 1]);
}

/* vis-network's edges, made from the ties: width by the number of agreements, colour (and on
   small networks dashes) by the best status among them (statuses are listed best first). The
   edges of one status share their colour object (vis-network copies what it reads from it). */
function kgVisEdges() {
  var kg = kgData(), out = new Array(kg.ties), a = kg.tieAgreements, start = kg.tieStart;
  var colours = kg.statuses.map(function (s) { return {color: s.color}; });
  for (var k = 0; k < kg.ties; k++) {
    var best = kg.statuses.length - 1, count = start[k + 1] - start[k];
    for (var i = start[k]; i < start[k + 1]; i++) { best = Math.min(best, kg.agreements[a[i]].status); }
    var style = kg.statuses[best];
    var e = {id: k, from: kg.ends[2 * k], to: kg.ends[2 * k + 1], color: colours[best]};
    if (style.dashes) { e.dashes = style.dashes; }
    if (count > 1) { e.width = Math.round(100 * (1 + Math.log2(count))) / 100; }
    out[k] = e;
  }
  return out;
}

function kgInit() {
  kgData();
  var ui = KG.ui;
  document.getElementById("kg-title").textContent = ui.title;
  document.getElementById("kg-hint").textContent = ui.hint;
  document.getElementById("kg-legend-title").textContent = ui.legend;
  var search = document.getElementById("kg-search");
  search.placeholder = ui.search;
  search.setAttribute("aria-label", ui.search);
  search.addEventListener("input", function () { kgSearch(search.value); });
  kgLegend();
  kgFilters();
  kgSummary();
  var relayout = document.getElementById("kg-relayout");
  relayout.textContent = ui.relayout;
  relayout.addEventListener("click", kgRelayout);
  var tip = document.getElementById("kg-tooltip");
  network.on("click", function (p) { if (p.nodes.length) { kgShow(p.nodes[0]); } });
  if (KG.pageHover) { kgPageHover(tip); } else {
    network.on("hoverNode", function (p) { kgNodeTip(tip, p.node); kgShowTip(tip, p.pointer.DOM); });
    network.on("hoverEdge", function (p) { kgEdgeTip(tip, p.edge); kgShowTip(tip, p.pointer.DOM); });
    network.on("blurNode", function () { tip.hidden = true; });
    network.on("blurEdge", function () { tip.hidden = true; });
  }
  network.on("dragStart", function () { tip.hidden = true; });
  var progress = document.getElementById("kg-progress");
  network.on("stabilizationProgress", function (p) {
    progress.textContent = ui.layout + " " + Math.round(100 * p.iterations / p.total) + "%";
  });
  network.once("stabilizationIterationsDone", kgStop);
  if (KG.nodes.length < 2) { kgStop(); }
}

/* Physics has laid the graph out: switch it off so a large network stays responsive. */
function kgStop() {
  network.setOptions({physics: false});
  document.getElementById("kg-progress").textContent = "";
  document.getElementById("kg-relayout").disabled = false;
  kgStable = true;
}

/* Run the same bounded stabilisation again from where the nodes are now, then stop. */
function kgRelayout() {
  kgStable = false;
  document.getElementById("kg-relayout").disabled = true;
  network.once("stabilizationIterationsDone", kgStop);
  network.setOptions({physics: {enabled: true}});
  network.stabilize(KG.iterations);
}

function kgShowTip(tip, dom) {
  var rect = document.getElementById("mynetwork").getBoundingClientRect();
  tip.style.left = (rect.left + dom.x + 14) + "px";
  tip.style.top = (rect.top + dom.y + 14) + "px";
  tip.hidden = false;
}

function kgNodeTip(tip, id) {
  var n = KG.nodes[id], ui = KG.ui;
  tip.replaceChildren(kgEl("strong", n.label),
    kgEl("div", [kgCountryLabel(n.country), kgKindLabel(n.kind)].filter(Boolean).join(" · ")),
    kgEl("div", ui.partners + ": " + n.partners + " · " + ui.agreements + ": " + n.agreements.length));
}

function kgEdgeTip(tip, id) {
  var own = kgTieAgreements(id);
  tip.replaceChildren(kgEl("strong", KG.nodes[KG.ends[2 * id]].label + " — " + KG.nodes[KG.ends[2 * id + 1]].label));
  own.slice(0, 6).forEach(function (ai) {
    var a = KG.agreements[ai];
    tip.appendChild(kgEl("div", a.title + (a.signed ? " (" + a.signed + ")" : "")));
  });
  if (own.length > 6) { tip.appendChild(kgEl("div", "… +" + (own.length - 6))); }
}

/* Large networks: vis-network's hover is off (it redraws the whole canvas on every hover, a
   tenth of a second and more on a dense network); the page finds what is under the pointer
   once a frame and shows the same tooltip without a redraw. */
function kgPageHover(tip) {
  var box = document.getElementById("mynetwork"), pending = null;
  box.addEventListener("pointermove", function (ev) {
    var rect = box.getBoundingClientRect();
    var first = pending === null;
    pending = {x: ev.clientX - rect.left, y: ev.clientY - rect.top};
    if (!first) { return; }
    requestAnimationFrame(function () {
      var dom = pending; pending = null;
      if (dom === null) { return; }  /* the pointer left meanwhile */
      var node = network.getNodeAt(dom);
      var edge = node === undefined ? network.getEdgeAt(dom) : undefined;
      if (node !== undefined) { kgNodeTip(tip, node); kgShowTip(tip, dom); }
      else if (edge !== undefined) { kgEdgeTip(tip, edge); kgShowTip(tip, dom); }
      else { tip.hidden = true; }
    });
  });
  box.addEventListener("pointerleave", function () { pending = null; tip.hidden = true; });
}

function kgSummary() {
  var shown = nodes.get({filter: function (n) { return !n.hidden; }}).length;
  var text = shown === KG.nodes.length ? String(shown) : shown + " / " + KG.nodes.length;
  document.getElementById("kg-summary").textContent =
    text + " " + KG.ui.institutions + " · " + KG.ui.as_of + " " + KG.asOf;
}

function kgLegend() {
  var body = document.getElementById("kg-legend-body");
  var ui = KG.ui;
  body.appendChild(kgEl("strong", ui.country));
  KG.countries.forEach(function (c) {
    var row = kgEl("div"); var sw = kgEl("span", null, "kg-swatch");
    sw.style.background = c.color; row.append(sw, kgEl("span", c.label)); body.appendChild(row);
  });
  body.appendChild(kgEl("strong", ui.kind));
  KG.kinds.forEach(function (k) {
    var row = kgEl("div"); row.append(kgEl("span", k.symbol, "kg-symbol"), kgEl("span", k.label));
    body.appendChild(row);
  });
  body.appendChild(kgEl("strong", ui.status));
  KG.statuses.forEach(function (s) {
    var row = kgEl("div"); var line = kgEl("span", null, "kg-line");
    line.style.borderTopColor = s.color; line.style.borderTopStyle = s.dashed ? "dashed" : "solid";
    row.append(line, kgEl("span", s.label)); body.appendChild(row);
  });
}

function kgFilterOptions(dim) {
  if (dim === "country") { return KG.countries.map(function (c) { return [c.code, c.label]; }); }
  if (dim === "kind") { return KG.kinds.map(function (k, i) { return [String(i), k.symbol + " " + k.label]; }); }
  if (dim === "status") { return KG.statuses.map(function (s, i) { return [String(i), s.label]; }); }
  var out = KG.directions.map(function (d, i) { return [String(i), d.label]; });
  out.push(["-1", "(" + KG.ui.none + ")"]);
  return out;
}

function kgFilters() {
  var box = document.getElementById("kg-filters");
  ["country", "kind", "direction", "status"].forEach(function (dim) {
    var details = kgEl("details"); details.dataset.filter = dim;
    var summary = kgEl("summary", KG.ui[dim]); details.appendChild(summary);
    var options = kgEl("div", null, "kg-options");
    var all = kgEl("button", KG.ui.all); all.type = "button";
    var none = kgEl("button", KG.ui.clear); none.type = "button";
    options.append(all, none);
    kgFilterOptions(dim).forEach(function (pair) {
      var label = kgEl("label"); var input = document.createElement("input");
      input.type = "checkbox"; input.checked = true; input.value = pair[0]; input.dataset.filter = dim;
      input.addEventListener("change", kgApplyFilters);
      label.append(input, document.createTextNode(" " + pair[1])); options.appendChild(label);
    });
    all.addEventListener("click", function () { kgSetAll(dim, true); });
    none.addEventListener("click", function () { kgSetAll(dim, false); });
    details.appendChild(options); box.appendChild(details);
  });
}

function kgSetAll(dim, checked) {
  document.querySelectorAll('input[data-filter="' + dim + '"]').forEach(function (i) { i.checked = checked; });
  kgApplyFilters();
}

function kgChecked(dim) {
  var boxes = document.querySelectorAll('input[data-filter="' + dim + '"]');
  var chosen = new Set(); var total = 0;
  boxes.forEach(function (i) { total++; if (i.checked) { chosen.add(i.value); } });
  return {set: chosen, all: chosen.size === total};
}

/* Hide institutions outside the chosen countries and kinds; with a direction or status filter,
   also those left without any agreement that passes it. Edges follow their agreements. */
function kgApplyFilters() {
  var c = kgChecked("country"), k = kgChecked("kind"), d = kgChecked("direction"), s = kgChecked("status");
  var edgeFilter = !(d.all && s.all);
  var agreementOn = KG.agreements.map(function (a) {
    var dirOk = d.all || (a.directions.length ? a.directions.some(function (x) { return d.set.has(String(x)); })
                                             : d.set.has("-1"));
    return dirOk && (s.all || s.set.has(String(a.status)));
  });
  var base = KG.nodes.map(function (n) { return c.set.has(n.country) && k.set.has(String(n.kind)); });
  var ends = KG.ends, own = KG.tieAgreements, start = KG.tieStart, ties = KG.ties;
  var edgeOn = new Uint8Array(ties), linked = new Uint8Array(KG.nodes.length);
  for (var t = 0; t < ties; t++) {
    if (!(base[ends[2 * t]] && base[ends[2 * t + 1]])) { continue; }
    for (var i = start[t]; i < start[t + 1]; i++) {
      if (agreementOn[own[i]]) { edgeOn[t] = 1; linked[ends[2 * t]] = 1; linked[ends[2 * t + 1]] = 1; break; }
    }
  }
  var nodeOn = base.map(function (b, i) { return b && (!edgeFilter || linked[i] === 1); });
  var nodeUpdates = [], edgeUpdates = [];
  nodes.get().forEach(function (n) {
    var hidden = !nodeOn[n.id];
    if (Boolean(n.hidden) !== hidden) { nodeUpdates.push({id: n.id, hidden: hidden}); }
  });
  for (var e = 0; e < ties; e++) {
    var hidden = edgeOn[e] && nodeOn[ends[2 * e]] && nodeOn[ends[2 * e + 1]] ? 0 : 1;
    if (KG.tieHidden[e] !== hidden) { KG.tieHidden[e] = hidden; edgeUpdates.push({id: e, hidden: hidden === 1}); }
  }
  if (nodeUpdates.length) { nodes.update(nodeUpdates); }
  if (edgeUpdates.length) { edges.update(edgeUpdates); }
  document.querySelectorAll("#kg-filters details").forEach(function (det) {
    var r = kgChecked(det.dataset.filter);
    det.querySelector("summary").textContent = KG.ui[det.dataset.filter] + (r.all ? "" : " (" + r.set.size + ")");
  });
  kgSummary();
}

function kgVisibleNodeIds() {
  return nodes.get({filter: function (n) { return !n.hidden; }}).map(function (n) { return n.id; }).sort(function (a, b) { return a - b; });
}

function kgSearch(query) {
  var results = document.getElementById("kg-results");
  results.replaceChildren();
  var key = kgFold(query);
  if (!key) { return; }
  var found = 0;
  for (var i = 0; i < KG.nodes.length && found < 50; i++) {
    var n = KG.nodes[i];
    if (!kgKeys(n).some(function (k) { return k.indexOf(key) >= 0; })) { continue; }
    var li = kgEl("li"); li.tabIndex = 0; li.dataset.id = String(i); li.setAttribute("role", "option");
    li.append(kgEl("span", n.label), kgEl("span", kgCountryLabel(n.country), "kg-sub"));
    li.addEventListener("click", kgPick);
    li.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { kgPick.call(this); } });
    results.appendChild(li);
    found++;
  }
}

/* An institution's search keys, folded on first search: kgtool.viz.search_keys of its label,
   names and IRI's last segment (the readings by transliteration rules come with the data). */
function kgKeys(n) {
  if (!n.keys) {
    var last = n.iri.replace(/\/+$/, "").split(/[#\/]/).pop() || n.iri;
    var texts = [n.label, last].concat(n.names.map(function (p) { return p[1]; }));
    n.keys = texts.map(kgFold).concat(n.readings || []).filter(Boolean);
  }
  return n.keys;
}

function kgPick() {
  var id = Number(this.dataset.id);
  document.getElementById("kg-results").replaceChildren();
  network.selectNodes([id]);
  network.focus(id, {scale: 1.2, animation: false});
  kgShow(id);
}

function kgShow(id) {
  var n = KG.nodes[id], ui = KG.ui;
  var panel = document.getElementById("kg-panel");
  panel.replaceChildren();
  panel.dataset.node = String(id);
  panel.appendChild(kgEl("h2", n.label));
  var dl = kgEl("dl");
  function row(term, values) {
    if (!values.length) { return; }
    dl.appendChild(kgEl("dt", term));
    values.forEach(function (v) { dl.appendChild(kgEl("dd", v)); });
  }
  row(ui.names, n.names.map(function (p) { return p[1] + " [" + p[0] + "]"; }));
  row(ui.kind, [kgKindLabel(n.kind)]);
  row(ui.country, n.country ? [kgCountryLabel(n.country)] : []);
  row(ui.parent, n.parent ? [n.parent] : []);
  row(ui.members, n.members || []);
  row(ui.partners, [String(n.partners)]);
  panel.appendChild(dl);
  panel.appendChild(kgEl("div", n.iri, "kg-iri"));
  panel.appendChild(kgEl("h3", ui.agreements + " (" + n.agreements.length + ")"));
  var list = kgEl("ol");
  var sources = new Set(n.sources || []);
  n.agreements.forEach(function (ai) {
    var a = KG.agreements[ai];
    var li = kgEl("li", null, "kg-agreement");
    li.appendChild(kgEl("strong", a.title, "kg-agreement-title"));
    var meta = ["kind" in a ? KG.agreementKinds[a.kind] : ""];
    if (a.signed) { meta.push(ui.signed + " " + a.signed); }
    if (a.term) { meta.push(ui.term + " " + a.term); }
    if (a.expires) { meta.push(ui.expires + " " + a.expires); }
    meta.push(KG.statuses[a.status].label);
    li.appendChild(kgEl("div", meta.filter(Boolean).join(" · "), "kg-meta"));
    if (a.directions.length) {
      li.appendChild(kgEl("div", ui.direction + ": " + a.directions.map(function (x) { return KG.directions[x].label; }).join(", "), "kg-meta"));
    }
    li.appendChild(kgEl("div", ui.parties + ": " + a.parties.map(kgPartyLabel).join("; "), "kg-meta"));
    var own = a.sources || [];
    if (own.length) { li.appendChild(kgEl("div", ui.sources + ": " + own.join(", "), "kg-meta")); }
    own.forEach(function (s) { sources.add(s); });
    list.appendChild(li);
  });
  panel.appendChild(list);
  if (sources.size) {
    panel.appendChild(kgEl("h3", ui.sources));
    var ul = kgEl("ul", null, "kg-sources");
    Array.from(sources).sort().forEach(function (s) { ul.appendChild(kgEl("li", s)); });
    panel.appendChild(ul);
  }
}
