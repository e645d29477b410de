// Path name resolution (Linux fs/namei.c in miniature): absolute paths start at the root, relative ones at the
// starting directory (the cwd or a dirfd); "." and ".." are directory entries of every directory (".." of the root
// is the root); every component but the last must be a directory (ENOTDIR) that exists (ENOENT); symbolic links
// are followed inside the guest's namespace, at most 40 in one resolution (ELOOP). The last component is returned
// with its parent so that callers can create or remove it; whether it is followed is the caller's choice.

import { ELOOP, ENAMETOOLONG, ENOENT, ENOTDIR } from "../sys/errno.js";
import type { DirNode, Vnode } from "./vnode.js";
import { NAME_MAX } from "./vnode.js";

const MAXSYMLINKS = 40;

/** What the last component is: a plain name, ".", "..", or the path was "/" (Linux LAST_NORM/DOT/DOTDOT/ROOT). */
export type LastType = "norm" | "dot" | "dotdot" | "root";

export interface Walked {
  readonly parent: DirNode;          // directory holding the last component
  readonly name: string;             // the last component ("/" for the root)
  readonly node: Vnode | undefined;  // what it names, if anything
  readonly last: LastType;
  readonly trailingSlash: boolean;   // the path ended in "/" (the last component must then be a directory)
}

/**
 * Resolves `path` from `start` (`root` for absolute paths). With `follow`, a symbolic link in the last position is
 * followed too (a trailing slash always follows). Returns a negative errno when an earlier component fails; what
 * the last component must be (and what a trailing slash on a non-directory means) is each caller's business,
 * because Linux answers differently for open, mkdir, unlink, rename... (see `existing`).
 */
export function walk(root: DirNode, start: DirNode, path: string, follow: boolean): Walked | number {
  return walkFrom(root, start, path, follow, { links: 0 });
}

function walkFrom(root: DirNode, start: DirNode, path: string, follow: boolean, count: { links: number }): Walked | number {
  if (path === "") return -ENOENT;
  const parts = path.split("/").filter((p) => p !== "");
  let dir = path.startsWith("/") ? root : start;
  if (parts.length === 0) return { parent: root, name: "/", node: root, last: "root", trailingSlash: false };
  const trailingSlash = path.endsWith("/");
  for (let i = 0; i < parts.length; i++) {
    const name = parts[i]!;
    if (name.length > NAME_MAX) return -ENAMETOOLONG;
    const isLast = i === parts.length - 1;
    const last: LastType = name === "." ? "dot" : name === ".." ? "dotdot" : "norm";
    let node = last === "dot" ? dir : last === "dotdot" ? dir.parent : dir.lookup(name);
    if (node?.type === "lnk" && node.magic && (!isLast || follow || trailingSlash)) {
      if (++count.links > MAXSYMLINKS) return -ELOOP;
      node = node.magic();
      if (node === undefined) return -ENOENT;
    } else if (node?.type === "lnk" && (!isLast || follow || trailingSlash)) {
      if (++count.links > MAXSYMLINKS) return -ELOOP;
      const r = walkFrom(root, dir, node.target, true, count);
      if (typeof r === "number") return r;
      node = r.node;
      if (isLast) return { ...r, trailingSlash };   // a dangling link: creating follows it (O_CREAT)
    }
    if (isLast) return { parent: dir, name, node, last, trailingSlash };
    if (node === undefined) return -ENOENT;
    if (node.type !== "dir") return -ENOTDIR;
    dir = node;
  }
  throw new Error("unreachable");
}

/** The absolute path of a directory (getcwd), or undefined when it has been removed. */
export function pathOf(dir: DirNode): string | undefined {
  const parts: string[] = [];
  for (let d = dir; d.parent !== d; d = d.parent) {
    if (d.removed) return undefined;
    parts.push(d.name);
  }
  return "/" + parts.reverse().join("/");
}

/** The node a lookup of an existing file found: ENOENT if none, ENOTDIR for a trailing slash on a non-directory. */
export function existing(w: Walked): Vnode | number {
  if (w.node === undefined) return -ENOENT;
  if (w.trailingSlash && w.node.type !== "dir") return -ENOTDIR;
  return w.node;
}
