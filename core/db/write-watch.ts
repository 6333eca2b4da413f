import { SelectQueryNode, type KyselyPlugin, type PluginTransformQueryArgs, type PluginTransformResultArgs, type QueryResult, type RootOperationNode, type UnknownRow } from 'kysely';

/**
 * Calls `onWrite` before every statement that may change data: anything but a plain SELECT
 * (INSERT, UPDATE, DELETE, raw SQL, a SELECT with a WITH clause, which may hold a data-modifying
 * CTE). Conservative on purpose: a value read earlier in the transaction and remembered in process
 * (bots/dialogs/registration-check.ts) is forgotten at the first statement that could change it.
 */
export function writeWatch(onWrite: () => void): KyselyPlugin {
  return {
    transformQuery({ node }: PluginTransformQueryArgs): RootOperationNode {
      if (!isPlainRead(node)) onWrite();
      return node;
    },
    async transformResult({ result }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
      return result;
    },
  };
}

export function isPlainRead(node: RootOperationNode): boolean {
  return SelectQueryNode.is(node) && node.with === undefined;
}
