/** Registers every built-in synapse model. */
import './static_synapse.js';
import './stdp_synapse.js';
import './stp_legacy.js';
import './sem_stdp_vt.js';
import './striatal_stdp.js';
import './zfactor.js';
import './three_factor_covariance.js';
import './delta_rule_readout.js';
import './tsodyks_markram_stp.js';
