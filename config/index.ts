export { type ChainConfig, type Config, ConfigError, type Env, loadConfig, loadConfigOrExit } from "./env";
export { DEPLOYMENTS, type Deployment, LOCAL_DEPLOYER, NETWORKS, type NetworkName } from "./networks";
