import { agemEntry } from './agem.js';
import { derEntry } from './der.js';
import { derppEntry } from './derpp.js';
import { erAceEntry } from './er-ace.js';
import { erEntry } from './er.js';
import { ewcEntry } from './ewc.js';
import { fdrEntry } from './fdr.js';
import { gdumbEntry } from './gdumb.js';
import { gemEntry } from './gem.js';
import { gssEntry } from './gss.js';
import { halEntry } from './hal.js';
import { icarlEntry } from './icarl.js';
import { independentEntry } from './independent.js';
import { jointEntry } from './joint.js';
import { lwfEntry } from './lwf.js';
import { masEntry } from './mas.js';
import { mirEntry } from './mir.js';
import { naiveEntry } from './naive.js';
import { anilEntry } from './meta/anil.js';
import { fomamlEntry, mamlEntry } from './meta/maml.js';
import { metaSgdEntry } from './meta/metasgd.js';
import { pretrainEntry } from './meta/pretrain.js';
import { reptileEntry } from './meta/reptile.js';
import { siEntry } from './si.js';
import { cMamlEntry } from './continual-meta/cmaml.js';
import { gradAlignEntry } from './continual-meta/gradalign.js';
import { laMamlEntry, laMamlSyncEntry } from './continual-meta/lamaml.js';
import { merEntry } from './continual-meta/mer.js';
import { omlEntry } from './continual-meta/oml.js';
import { LearnerRegistry } from './learner-registry.js';

/** Every learner a scenario can name. Register your own with `learners.register(entry)`. */
export const learners = new LearnerRegistry();

// Baselines (spine).
learners.register(naiveEntry);
learners.register(jointEntry);
learners.register(independentEntry);

// Classic continual learners (issue #3).
learners.register(ewcEntry);
learners.register(siEntry);
learners.register(lwfEntry);
learners.register(erEntry);
learners.register(gemEntry);
learners.register(agemEntry);

// Today's baselines: the DER paper's table and the replay methods since (issue #13).
learners.register(derEntry);
learners.register(derppEntry);
learners.register(erAceEntry);
learners.register(gdumbEntry);
learners.register(mirEntry);
learners.register(masEntry);
learners.register(icarlEntry);
learners.register(gssEntry);
learners.register(fdrEntry);
learners.register(halEntry);

// Meta-learners (issue #4).
learners.register(mamlEntry);
learners.register(fomamlEntry);
learners.register(reptileEntry);
learners.register(metaSgdEntry);
learners.register(anilEntry);
learners.register(pretrainEntry);

// Meta-continual learners (issue #5).
learners.register(merEntry);
learners.register(gradAlignEntry);
learners.register(cMamlEntry);
learners.register(laMamlSyncEntry);
learners.register(laMamlEntry);
learners.register(omlEntry);
