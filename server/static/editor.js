// archivekg: the query editor. YASGUI (vendored in /static/vendor/yasgui/, see scripts/vendor-assets.sh)
// takes the place of the query form: highlighting and error markers, completion of the graph's prefixes,
// classes and properties (from /sparql/vocabulary, never from another site), the catalogue's examples,
// results on the page as a table with labels and links (paged), downloads in every format, and the
// query kept in the URL. Without JavaScript, or if the editor does not load, the form stays as it is.
"use strict";
(function () {
  var RESULT_FORMATS = [["json", "JSON"], ["xml", "XML"], ["csv", "CSV"], ["tsv", "TSV"]];
  var GRAPH_FORMATS = [["turtle", "Turtle"], ["ntriples", "N-Triples"], ["jsonld", "JSON-LD"], ["rdfxml", "RDF/XML"],
                       ["trig", "TriG"], ["nquads", "N-Quads"]];
  var SAFE = /^(https?:|mailto:)/i;

  function completers(Yasqe, vocabulary) {
    function from(key) {
      return function () { return vocabulary.then(function (v) { return v[key] || []; }); };
    }
    Yasqe.forkAutocompleter("prefixes", {name: "graph-prefixes", persistenceId: null, get: function () {
      return vocabulary.then(function (v) {
        return Object.keys(v.prefixes || {}).sort().map(function (name) { return name + ": <" + v.prefixes[name] + ">"; });
      });
    }}, false);
    Yasqe.forkAutocompleter("class", {name: "graph-classes", bulk: true, persistenceId: null, get: from("classes")}, false);
    Yasqe.forkAutocompleter("property", {name: "graph-properties", bulk: true, persistenceId: null, get: from("properties")},
                            false);
    return ["variables", "graph-prefixes", "graph-classes", "graph-properties"];
  }

  // Links in the results: IRIs of this archive lead to their pages on this server, shown by their labels.
  function linker(root, endpoint, base) {
    var labels = {}, wanted = {}, timer = null;
    function fetchLabels() {
      timer = null;
      var iris = Object.keys(wanted).slice(0, 200);
      iris.forEach(function (iri) { delete wanted[iri]; });
      if (!iris.length) return;
      var query = "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\nSELECT ?s (SAMPLE(?l) AS ?label) WHERE { VALUES ?s { " +
        iris.map(function (i) { return "<" + i + ">"; }).join(" ") + " } ?s rdfs:label ?l } GROUP BY ?s";
      fetch(endpoint, {method: "POST", headers: {"Content-Type": "application/x-www-form-urlencoded",
                                                 Accept: "application/sparql-results+json"},
                       body: "query=" + encodeURIComponent(query)})
        .then(function (r) { return r.ok ? r.json() : {results: {bindings: []}}; })
        .then(function (json) {
          json.results.bindings.forEach(function (b) { labels[b.s.value] = b.label.value; });
          iris.forEach(function (iri) { if (!(iri in labels)) labels[iri] = null; });
          root.querySelectorAll("a[data-iri]").forEach(show);
        })
        .catch(function () { /* the table keeps its prefixed names */ });
      if (Object.keys(wanted).length) timer = setTimeout(fetchLabels, 50);
    }
    function show(a) {
      var label = labels[a.getAttribute("data-iri")];
      if (label && a.textContent !== label) a.textContent = label;
    }
    function visit(a) {
      if (a.hasAttribute("data-iri") || !a.closest(".yasr")) return;
      var iri = a.getAttribute("href") || "";
      a.setAttribute("data-iri", iri);
      a.title = iri;
      if (!SAFE.test(iri)) { a.removeAttribute("href"); return; }  // javascript:, data:, ...: never a link
      if (base && iri.indexOf(base + "id/") === 0) {
        a.setAttribute("href", iri.slice(base.length - 1));  // this archive's resource: its page here
        a.removeAttribute("target");
        a.classList.add("local");
        [a.previousSibling, a.nextSibling].forEach(function (n) {  // the < > of a full IRI: a label needs none
          if (n && n.nodeType === 3 && /^[<>]$/.test(n.textContent.trim())) n.textContent = "";
        });
        if (iri in labels) show(a);
        else { wanted[iri] = true; if (!timer) timer = setTimeout(fetchLabels, 50); }
      }
    }
    new MutationObserver(function () { root.querySelectorAll(".yasr a[href]:not([data-iri])").forEach(visit); })
      .observe(root, {childList: true, subtree: true});
  }

  function downloads(el, query, type) {
    var formats = (type === "CONSTRUCT" || type === "DESCRIBE") ? GRAPH_FORMATS : RESULT_FORMATS;
    el.textContent = "Download: ";
    formats.forEach(function (f, i) {
      if (i) el.appendChild(document.createTextNode(" · "));
      var a = document.createElement("a");
      a.href = "sparql?" + new URLSearchParams({query: query, format: f[0]}).toString();
      a.textContent = f[1];
      a.setAttribute("data-format", f[0]);
      el.appendChild(a);
    });
    el.hidden = false;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var root = document.getElementById("editor");
    var form = document.getElementById("query-form");
    var Yasgui = window.Yasgui;
    if (!root || !form || typeof Yasgui !== "function") return;
    var endpoint = new URL(root.getAttribute("data-endpoint"), document.baseURI).href;
    var vocabulary = fetch(new URL(root.getAttribute("data-vocabulary"), document.baseURI).href,
                           {headers: {Accept: "application/json"}})
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
      .catch(function () { return {prefixes: {}, classes: [], properties: []}; });
    var names = completers(Yasgui.Yasqe, vocabulary);
    var initial = form.elements.query.value;
    var examples = document.getElementById("examples");
    var yasgui;
    root.hidden = false;  // shown before it is made: CodeMirror measures its lines when it starts
    try {
      yasgui = new Yasgui(root, {
        requestConfig: {endpoint: endpoint, method: "POST"},
        copyEndpointOnNewTab: true, persistenceId: null, populateFromUrl: false, autofocus: false,
        endpointCatalogueOptions: {getData: function () { return [{endpoint: endpoint}]; }},
        yasqe: {value: initial, autocompleters: names, persistenceId: null, showQueryButton: true},
        yasr: {persistenceId: null, defaultPlugin: "table", pluginOrder: ["table", "response"]},
      });
    } catch (err) {
      root.hidden = true;
      return;  // the form stays
    }
    var tab = function () { return yasgui.getTab(); };
    if (tab().getQuery() !== initial) tab().setQuery(initial);
    form.hidden = true;
    if (examples) {  // the catalogue's examples, above the editor: choosing one puts it in the current tab
      var holder = examples.closest("p");
      root.parentNode.insertBefore(holder, root);
      examples.addEventListener("change", function () { if (examples.value) tab().setQuery(examples.value); });
    }
    var bar = document.getElementById("downloads");
    yasgui.on("query", function (instance, t) {
      var query = t.getQuery();
      history.replaceState(null, "", "sparql?" + new URLSearchParams({edit: "1", query: query}).toString());
      if (bar) downloads(bar, query, t.getYasqe().getQueryType());
    });
    linker(root, endpoint, root.getAttribute("data-base") || "");
    root.setAttribute("data-ready", "1");
    if (root.getAttribute("data-run") === "1") tab().query();  // a shared link: its query, run
  });
})();
