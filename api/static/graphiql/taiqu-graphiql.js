// Taiqu's GraphiQL page: POSTs to the page's own URL; the Headers tab carries a writer's
// "Authorization: Bearer ..." for change events. No subscriptions, no cookies.
(function () {
  "use strict";
  const START = [
    "# Taiqu: the network, its history and its line loss.",
    "# Ctrl-Enter runs the query; the Docs pane lists every field.",
    "{",
    "  network {",
    "    lossRanking(from: \"2026-10-01\", to: \"2026-10-31\", first: 10) {",
    "      edges { node { transformer { code name } lossKwh lossRate status reasons } }",
    "    }",
    "  }",
    "}",
    "",
  ].join("\n");
  const url = window.location.href.split("?")[0].split("#")[0];
  const fetcher = GraphiQL.createFetcher({ url: url });
  const explorer = GraphiQLPluginExplorer.explorerPlugin();
  const root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: START,
      plugins: [explorer],
      shouldPersistHeaders: false, // a writer token never stays in the browser's storage
    })
  );
})();
